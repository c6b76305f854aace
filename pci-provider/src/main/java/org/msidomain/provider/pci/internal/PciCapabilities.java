package org.msidomain.provider.pci.internal;

import org.msidomain.hw.ConfigSpace;

/** Linux's {@code pci_find_capability}: walks the standard capability list in config space. */
final class PciCapabilities {

    static final int PM = 0x01;
    static final int MSI = 0x05;
    static final int MSIX = 0x11;

    private PciCapabilities() {
    }

    /** Whether the function is in D0 (PMCSR PowerState 0); functions without power management always are. */
    static boolean inD0(ConfigSpace config, int pm) {
        return pm < 0 || (config.read16(pm + 4) & 3) == 0;
    }

    /** The offset of the first capability with {@code id}, or -1. */
    static int find(ConfigSpace config, int id) {
        if (config.size() < 0x40 || (config.read16(0x06) & 0x10) == 0) {
            return -1;
        }
        int type = config.read8(0x0E) & 0x7F;
        if (type > 2) {
            return -1;
        }
        int at = config.read8(type == 2 ? 0x14 : 0x34) & ~3;
        // At most 48 capabilities fit in the 192 bytes after the header (Linux's PCI_FIND_CAP_TTL).
        for (int ttl = 48; at >= 0x40 && at + 4 <= config.size() && ttl > 0; ttl--) {
            if (config.read8(at) == id) {
                return at;
            }
            at = config.read8(at + 1) & ~3;
        }
        return -1;
    }
}
