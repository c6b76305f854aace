package org.example.ntb.device;

import java.util.Map;
import java.util.Set;

import org.msidomain.hw.DeviceSpec;

/**
 * The properties of an {@code ntb} entry of the machine description, checked.
 *
 * @param vectors     the peer's interrupt sources (1-128, default 4)
 * @param scratchpads the bridge's scratchpad registers (0-257, default {@code 2 * vectors + 1}); the local side
 *                    hands vector i through scratchpads 2i+1 and 2i+2, so it can hand {@code (scratchpads - 1) / 2}
 * @param windowSize  the peer's memory window into the local side, bytes: 0 (none) or a power of two from 4 KiB to
 *                    1 MiB (default 1 MiB, the whole 0xFEExxxxx message window)
 */
record NtbConfig(int vectors, int scratchpads, int windowSize) {

    static final Set<String> KEYS = Set.of("vectors", "scratchpads", "window.size");

    static NtbConfig from(DeviceSpec spec) {
        for (String key : spec.properties().keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(spec.name() + ": unknown property '" + key + "' (an ntb bridge takes "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        int vectors = number(spec, "vectors", "4", 1, 128);
        int spads = number(spec, "scratchpads", Integer.toString(2 * vectors + 1), 0, NtbRegisters.MAX_SPADS);
        int window = number(spec, "window.size", "0x100000", 0, 0x10_0000);
        if (window != 0 && (window < 0x1000 || Integer.bitCount(window) != 1)) {
            throw new IllegalArgumentException(spec.name() + ": window.size: " + spec.property("window.size", "")
                    + " is neither 0 nor a power of two from 4096 to 1048576");
        }
        return new NtbConfig(vectors, spads, window);
    }

    Map<String, String> asProperties() {
        return Map.of("vectors", Integer.toString(vectors), "scratchpads", Integer.toString(scratchpads),
                "window.size", Integer.toString(windowSize));
    }

    private static int number(DeviceSpec spec, String key, String defaultValue, int min, int max) {
        String text = spec.property(key, defaultValue).trim();
        long value;
        try {
            value = text.startsWith("0x") || text.startsWith("0X") ? Long.parseLong(text.substring(2), 16)
                    : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": '" + text + "' is not a number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": " + text + " is out of range " + min + "-" + max);
        }
        return (int) value;
    }
}
