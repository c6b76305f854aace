package org.example.ims.device;

import org.msidomain.hw.Mmio;

/**
 * BAR 0 of the DSA function, its MMIO register block, as Linux's idxd driver reads it
 * ({@code drivers/dma/idxd/registers.h}): VERSION, GENCAP (with {@code max_ims_mult}, the IMS size in units of
 * 256 slots), the OFFSETS table (the {@code ims} field, in units of 0x100), the MSI-X table and PBA where the
 * MSI-X capability says (0x2000, 0x3000), and the IMS slot array at the IMS offset. The other registers
 * (work queues, groups, engines, commands) are not modelled: they read 0 and ignore writes.
 */
final class DsaRegisters implements Mmio {

    static final int VERSION = 0x00;
    static final int GENCAP = 0x10;
    static final int OFFSETS = 0x60;
    static final int MSIX_TABLE = 0x2000;
    static final int MSIX_PBA = 0x3000;
    static final int IMS_TABLE = 0x4000;
    static final int SLOT = 16;

    /** DSA 1.0 (Sapphire Rapids), {@code DEVICE_VERSION_1}. */
    private static final int DEVICE_VERSION_1 = 0x100;
    private static final int GENCAP_MAX_IMS_MULT_SHIFT = 25;
    /** IMS control word: bit 0 mask (RW), bit 1 pending (RO, this model's), bit 3 PASID enable, bits 31:12 PASID. */
    static final int CTRL_MASK = 1;
    static final int CTRL_PENDING = 1 << 1;
    static final int CTRL_AUX = 0xFFFF_F008;

    private final long size;
    private final int imsMult;
    private final MessageEntries msix;
    private final MessageEntries ims;
    /** Per slot, the control word's auxiliary bits (PASID enable, PASID). */
    private final int[] imsAux;

    DsaRegisters(long size, int imsMult, MessageEntries msix, MessageEntries ims) {
        this.size = size;
        this.imsMult = imsMult;
        this.msix = msix;
        this.ims = ims;
        this.imsAux = new int[ims.size()];
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read32(long offset) {
        int off = check(offset);
        if (off == VERSION) {
            return DEVICE_VERSION_1;
        }
        if (off == GENCAP) {
            return imsMult << GENCAP_MAX_IMS_MULT_SHIFT;
        }
        if (off == OFFSETS + 4) {
            return (IMS_TABLE / 0x100) << 16; // OFFSETS bits 63:48: ims
        }
        if (off >= MSIX_TABLE && off < MSIX_TABLE + SLOT * msix.size()) {
            int i = (off - MSIX_TABLE) / SLOT;
            int w = (off % SLOT) / 4;
            return w < 3 ? msix.word(i, w) : (msix.masked(i) ? 1 : 0);
        }
        if (off >= MSIX_PBA && off < MSIX_PBA + 8 * ((msix.size() + 63) / 64)) {
            int first = (off - MSIX_PBA) * 8;
            int bits = 0;
            for (int b = 0; b < 32 && first + b < msix.size(); b++) {
                bits |= msix.pending(first + b) ? 1 << b : 0;
            }
            return bits;
        }
        if (off >= IMS_TABLE && off < IMS_TABLE + SLOT * ims.size()) {
            int i = (off - IMS_TABLE) / SLOT;
            int w = (off % SLOT) / 4;
            if (w < 3) {
                return ims.word(i, w);
            }
            return imsAux[i] | (ims.masked(i) ? CTRL_MASK : 0) | (ims.pending(i) ? CTRL_PENDING : 0);
        }
        return 0;
    }

    @Override
    public void write32(long offset, int value) {
        int off = check(offset);
        if (off >= MSIX_TABLE && off < MSIX_TABLE + SLOT * msix.size()) {
            int i = (off - MSIX_TABLE) / SLOT;
            int w = (off % SLOT) / 4;
            if (w == 3) {
                msix.mask(i, (value & 1) != 0);
            } else {
                msix.setWord(i, w, w == 0 ? value & ~3 : value); // Message Address bits 1:0 read 0
            }
        } else if (off >= IMS_TABLE && off < IMS_TABLE + SLOT * ims.size()) {
            int i = (off - IMS_TABLE) / SLOT;
            int w = (off % SLOT) / 4;
            if (w == 3) {
                imsAux[i] = value & CTRL_AUX;
                ims.mask(i, (value & CTRL_MASK) != 0);
            } else {
                ims.setWord(i, w, value);
            }
        }
    }

    private int check(long offset) {
        if (offset < 0 || offset + 4 > size || (offset & 3) != 0) {
            throw new IllegalArgumentException("BAR 0 access at 0x" + Long.toHexString(offset)
                    + ": unaligned or beyond its " + size + " bytes");
        }
        return (int) offset;
    }
}
