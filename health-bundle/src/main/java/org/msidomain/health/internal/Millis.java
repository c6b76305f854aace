package org.msidomain.health.internal;

import java.util.Map;

/**
 * A duration in milliseconds from a component's configuration, checked here rather than by SCR's
 * converter: a value that is not a whole number (a {@code .cfg} file's {@code unbound.warn.ms = soon})
 * would make the component type's method throw and the component fail without saying why. A wrong value
 * is refused in one line naming the PID and the key, and the default is used.
 *
 * @param value    the milliseconds to use
 * @param refusal  why the configured value was refused ({@code PID: key: problem}), or null
 */
record Millis(long value, String refusal) {

    /**
     * @param properties the component's properties (Config Admin's values over the component's defaults)
     * @param min        the smallest value that makes sense
     */
    static Millis read(Map<String, ?> properties, String pid, String key, long defaultValue, long min) {
        Object raw = properties.get(key);
        if (raw == null) {
            return new Millis(defaultValue, null);
        }
        Long value = null;
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            value = ((Number) raw).longValue();
        } else if (raw instanceof String s) {
            try {
                value = Long.parseLong(s.trim()); // a .cfg file gives strings
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        if (value == null) {
            return new Millis(defaultValue, pid + ": " + key + ": '" + raw + "' is not an integer");
        }
        if (value < min) {
            return new Millis(defaultValue, pid + ": " + key + ": " + min + " and up, not " + value);
        }
        return new Millis(value, null);
    }

    /** The line logged for a refusal. */
    String warning() {
        return "configuration refused, the default " + value + " ms is used: " + refusal;
    }
}
