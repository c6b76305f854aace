package org.msidomain.hw.internal.config;

import java.util.List;

/**
 * The keys each machine PID accepts, as its metatype describes them ({@code ConfigKeysTest} checks they
 * agree). Keys of the framework and of the tools that write configurations ({@code service.*},
 * {@code felix.*}, {@code component.*}, and private ones starting with a dot) are passed over.
 */
final class ConfigKeys {

    static final List<String> MACHINE = List.of("cpus", "apicIds", "baseDevices", "hpetTimers", "hpetFsbTimers",
            "interruptRemapping", "irtSize");
    static final List<String> PCI = List.of("dump", "slot", "owner");
    static final List<String> PLATFORM = List.of("name", "slots", "queued");
    static final List<String> DMAR = List.of("name", "irtSize");
    /** Besides these, the device PID takes {@code property.KEY} keys ({@link DeviceConfiguration#PROPERTY}). */
    static final List<String> DEVICE = List.of("kind", "name", "requesterId");

    private ConfigKeys() {
    }

    static boolean foreign(String key) {
        return key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")
                || key.startsWith(".");
    }
}
