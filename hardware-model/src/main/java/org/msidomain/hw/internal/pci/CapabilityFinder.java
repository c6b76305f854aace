package org.msidomain.hw.internal.pci;

import org.msidomain.hw.ConfigSpace;

/**
 * Finds a standard capability the way the device's own decoder would: Status bit 4, the list head at
 * 0x34 (0x14 for a CardBus bridge), pointers masked to dwords, stopping at a loop or the end of the
 * bytes present.
 */
final class CapabilityFinder {

    private CapabilityFinder() {
    }

    /** The offset of the first capability with {@code id}, or -1. */
    static int find(ConfigSpace config, int id) {
        if (config.size() < 0x40 || (config.read16(0x06) & 0x10) == 0) {
            return -1;
        }
        int headerType = config.read8(0x0E) & 0x7F;
        int head = switch (headerType) {
            case 0, 1 -> 0x34;
            case 2 -> 0x14;
            default -> -1;
        };
        if (head < 0) {
            return -1;
        }
        boolean[] seen = new boolean[256];
        int at = config.read8(head) & ~3;
        while (at != 0 && at + 4 <= config.size() && !seen[at]) {
            seen[at] = true;
            if (config.read8(at) == id) {
                return at;
            }
            at = config.read8(at + 1) & ~3;
        }
        return -1;
    }
}
