package org.msidomain.imsic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;

import org.junit.jupiter.api.Test;

/** The identity allocator as Linux's IMSIC sets up its irq_matrix (identities 0 and IMSIC_IPI_ID 1 are the system's). */
class IdentityMatrixTest {

    @Test
    void aHartOffersIdentitiesTwoToTheLastAndHandsOutTheLowestFree() {
        IdentityMatrix m = new IdentityMatrix(2, 63);
        assertEquals(62, m.free(0), "nr_ids - 1, as imsic_irqdomain_init's 'total ... interrupts available' per CPU");
        assertEquals(2, m.allocate(0));
        assertEquals(3, m.allocate(0));
        m.release(0, 2);
        assertEquals(2, m.allocate(0), "a freed identity is the first handed out again");
        assertEquals(2, m.used(0));
        for (int id = 4; id <= 63; id++) {
            assertEquals(id, m.allocate(0));
        }
        assertEquals(0, m.free(0));
        assertEquals("no free interrupt identity on CPU 0",
                assertThrows(IllegalStateException.class, () -> m.allocate(0)).getMessage());
    }

    @Test
    void theBestHartHasTheMostFreeIdentitiesTheLowestOnATieAndIsOnline() {
        IdentityMatrix m = new IdentityMatrix(4, 63);
        assertEquals(0, m.bestHart(null));
        m.allocate(0);
        assertEquals(1, m.bestHart(null));
        BitSet mask = new BitSet();
        mask.set(0);
        mask.set(3);
        assertEquals(3, m.bestHart(mask));
        m.setOnline(3, false);
        assertEquals(0, m.bestHart(mask), "irq_matrix_offline: never chosen");
        assertEquals("CPU 3 is offline", assertThrows(IllegalStateException.class, () -> m.allocate(3)).getMessage());
    }

    @Test
    void aMoveTakesTheLowestFreeIdentityUnlessItsInterimWouldHitAnotherInterruptOfTheOldHart() {
        IdentityMatrix m = new IdentityMatrix(3, 63);
        assertEquals(2, m.allocate(0));
        assertEquals(2, m.allocateForMove(1, 0, 2), "the old identity: only the address changes");
        assertEquals(3, m.allocate(0));
        assertEquals(4, m.allocateForMove(2, 0, 3), "2 is another interrupt's on hart 0, 3 too: the lowest free on both");
        assertEquals(3, m.allocateForMove(1, 2, 4), "3 is free on the old hart 2");
        assertEquals(2, m.used(0), "nothing taken on the old hart");
    }

    @Test
    void releasingAnIdentityNotAllocatedIsRefused() {
        IdentityMatrix m = new IdentityMatrix(1, 63);
        assertEquals("identity 1 of CPU 0 is not allocated",
                assertThrows(IllegalStateException.class, () -> m.release(0, 1)).getMessage());
    }
}
