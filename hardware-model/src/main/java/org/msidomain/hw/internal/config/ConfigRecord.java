package org.msidomain.hw.internal.config;

import java.util.Map;

/**
 * A Config Admin configuration as read: its PID, its factory PID (null for a singleton) and its
 * properties. A plain value, so the translation is tested without a framework.
 */
public record ConfigRecord(String pid, String factoryPid, Map<String, Object> properties) {

    public ConfigRecord {
        properties = Map.copyOf(properties);
    }
}
