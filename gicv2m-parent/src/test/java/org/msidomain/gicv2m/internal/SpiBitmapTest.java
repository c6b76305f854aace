package org.msidomain.gicv2m.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Regions as Linux's bitmap_find_free_region/bitmap_release_region take and give them (lib/bitmap.c). */
class SpiBitmapTest {

    @Test
    void aRegionIsTakenAtTheFirstNaturallyAlignedFreeOffset() {
        SpiBitmap bm = new SpiBitmap(16);
        assertEquals(0, bm.take(1));
        assertEquals(4, bm.take(4), "offsets 0-3 are not all free: the next multiple of 4");
        assertEquals(2, bm.take(2));
        assertEquals(1, bm.take(1));
        assertEquals(8, bm.take(8));
        assertEquals(0, bm.free());
        assertEquals(-1, bm.take(1), "full");
        bm.give(4, 4);
        assertEquals(4, bm.free());
        assertEquals(-1, bm.take(8), "4 free SPIs, no aligned 8");
        assertEquals(4, bm.take(4));
    }

    @Test
    void aRegionThatWouldRunPastTheFrameIsNotTaken() {
        SpiBitmap bm = new SpiBitmap(6);
        assertEquals(0, bm.take(4));
        assertEquals(-1, bm.take(4), "4-7 runs past 6 SPIs");
        assertEquals(4, bm.take(2));
        assertThrows(IllegalArgumentException.class, () -> bm.take(3));
        assertThrows(IllegalStateException.class, () -> new SpiBitmap(4).give(0, 1));
    }
}
