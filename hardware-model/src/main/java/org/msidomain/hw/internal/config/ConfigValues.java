package org.msidomain.hw.internal.config;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The typed values of one configuration. Config Admin hands over what the writer stored: typed values
 * from the API, strings from a FileInstall {@code .cfg} file; both are accepted. A wrong value or an
 * unknown key is refused in one line naming the PID and the key.
 */
final class ConfigValues {

    private final String pid;
    private final Map<String, Object> properties;

    private ConfigValues(String pid, Map<String, Object> properties) {
        this.pid = pid;
        this.properties = properties;
    }

    /** @throws IllegalArgumentException naming the first unknown key */
    static ConfigValues of(ConfigRecord config, List<String> keys) {
        return of(config, keys, null);
    }

    /** Also accepts every key that starts with {@code prefix} (if not null). */
    static ConfigValues of(ConfigRecord config, List<String> keys, String prefix) {
        for (String key : new TreeSet<>(config.properties().keySet())) {
            if (!keys.contains(key) && !ConfigKeys.foreign(key) && (prefix == null || !key.startsWith(prefix)
                    || key.length() == prefix.length())) {
                throw new IllegalArgumentException(config.pid() + ": " + key + ": unknown key (known: "
                        + String.join(", ", keys) + (prefix == null ? "" : ", " + prefix + "KEY") + ")");
            }
        }
        return new ConfigValues(config.pid(), config.properties());
    }

    /** The keys present, in order. */
    java.util.SortedSet<String> keys() {
        return new TreeSet<>(properties.keySet());
    }

    String pid() {
        return pid;
    }

    boolean has(String key) {
        return properties.get(key) != null;
    }

    Object raw(String key) {
        return properties.get(key);
    }

    String string(String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s && !s.isBlank()) {
            return s.trim();
        }
        throw refused(key, "'" + v + "' is not a non-empty string");
    }

    String required(String key) {
        String v = string(key);
        if (v == null) {
            throw refused(key, "missing");
        }
        return v;
    }

    Integer integer(String key) {
        Object v = properties.get(key);
        return v == null ? null : toInt(key, v);
    }

    Boolean bool(String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s.trim());
        }
        throw refused(key, "'" + v + "' is neither true nor false");
    }

    /** An array, a collection, or a comma-separated string ({@code 0, 1, 2}). */
    List<Integer> integers(String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(toInt(key, Array.get(v, i)));
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                out.add(toInt(key, o));
            }
        } else if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank() || s.isBlank()) {
                    out.add(toInt(key, part));
                }
            }
        } else {
            out.add(toInt(key, v));
        }
        return out;
    }

    private int toInt(String key, Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        if (v instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw refused(key, "'" + v + "' is not an integer");
    }

    IllegalArgumentException refused(String key, String problem) {
        return new IllegalArgumentException(pid + ": " + key + ": " + problem);
    }
}
