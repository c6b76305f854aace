package org.msidomain.gicv2m.internal;

import java.util.BitSet;

/**
 * The frame's SPIs in use, as Linux's {@code v2m_data.bm}: a block of {@code 2^order} SPIs is taken at the first
 * naturally aligned offset where it is wholly free ({@code bitmap_find_free_region}) and given back whole
 * ({@code bitmap_release_region}), so a multi-message MSI block gets contiguous SPIs whose low bits the device may
 * replace with its vector number.
 */
final class SpiBitmap {

    private final int spis;
    private final BitSet used;
    private int inUse;

    SpiBitmap(int spis) {
        this.spis = spis;
        this.used = new BitSet(spis);
    }

    /** The offset of a free aligned region of {@code size} (a power of two) SPIs, now taken; -1 if none. */
    int take(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("a region of " + size + " SPIs: not a power of two");
        }
        for (int pos = 0; pos + size <= spis; pos += size) {
            int next = used.nextSetBit(pos);
            if (next < 0 || next >= pos + size) {
                used.set(pos, pos + size);
                inUse += size;
                return pos;
            }
        }
        return -1;
    }

    /** Gives back the region {@link #take} returned. */
    void give(int offset, int size) {
        for (int i = offset; i < offset + size; i++) {
            if (!used.get(i)) {
                throw new IllegalStateException("SPI offset " + i + " is not in use");
            }
        }
        used.clear(offset, offset + size);
        inUse -= size;
    }

    /** SPIs left. */
    int free() {
        return spis - inUse;
    }
}
