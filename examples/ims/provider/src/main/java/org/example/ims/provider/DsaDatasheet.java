package org.example.ims.provider;

import java.util.Optional;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;

/**
 * Where a DSA function keeps its IMS slots, read the way Linux's idxd driver reads them: the Scalable IOV
 * DVSEC in config space says whether the function supports IMS (SIOVCAP bit 0), GENCAP's
 * {@code max_ims_mult} gives the size in units of 256 slots, and the OFFSETS table's {@code ims} field (in
 * units of 0x100) where in BAR 0 the array starts. Reads only; never changes the device.
 */
final class DsaDatasheet {

    static final int BAR = 0;
    static final int GENCAP = 0x10;
    static final int OFFSETS = 0x60;
    static final int TABLE_MULT = 0x100;
    static final int IMS_UNIT = 256;
    static final int SLOT = 16;
    static final int CTRL = 12;
    /** Control word: bit 0 mask, bit 3 PASID enable, PASID in bits 31:12 ({@code irq-pci-intel-idxd.c}). */
    static final int CTRL_MASK = 1;
    static final int CTRL_PASID_ENABLE = 1 << 3;
    static final int CTRL_PASID_SHIFT = 12;
    static final int CTRL_AUX = 0xFFFF_F008;

    private static final int DVSEC = 0x23;
    private static final int INTEL = 0x8086;
    private static final int DVSEC_SIOV = 5;
    private static final int SIOVCAP = 0x14;

    private DsaDatasheet() {
    }

    /** Why the device has no IMS slot array this provider can serve, or empty if it has one. */
    static Optional<String> whyNoIms(HwDevice device) {
        Optional<ConfigSpace> config = device.config();
        if (config.isEmpty()) {
            return Optional.of("not a PCI function (no config space)");
        }
        int dvsec = findDvsec(config.get());
        if (dvsec < 0) {
            return Optional.of("no Scalable IOV DVSEC (Intel, ID 5) in config space");
        }
        if ((config.get().read32(dvsec + SIOVCAP) & 1) == 0) {
            return Optional.of("SIOVCAP bit 0 is clear: the function does not support IMS");
        }
        if (maxImsMult(device) == 0) {
            return Optional.of("no IMS slots: GENCAP max_ims_mult is 0");
        }
        return Optional.empty();
    }

    /** The number of IMS slots: GENCAP max_ims_mult x 256. */
    static int slots(HwDevice device) {
        return maxImsMult(device) * IMS_UNIT;
    }

    /** The offset of the slot array in BAR 0: OFFSETS bits 63:48 x 0x100. */
    static long tableOffset(HwDevice device) {
        return (long) (device.region(BAR).read32(OFFSETS + 4) >>> 16) * TABLE_MULT;
    }

    private static int maxImsMult(HwDevice device) {
        return device.region(BAR).read32(GENCAP) >>> 25 & 0x3F;
    }

    /** The Designated Vendor-Specific extended capability of Intel's Scalable IOV, or -1. */
    private static int findDvsec(ConfigSpace config) {
        if (config.size() < 4096) {
            return -1;
        }
        for (int at = 0x100, hops = 0; at != 0 && hops < 960; hops++) {
            int header = config.read32(at);
            if ((header & 0xFFFF) == DVSEC && config.read16(at + 4) == INTEL && config.read16(at + 8) == DVSEC_SIOV) {
                return at;
            }
            at = header >>> 20 & 0xFFC;
        }
        return -1;
    }
}
