package org.msidomain.imsic.internal;

import java.util.BitSet;

/**
 * The IMSIC's per-hart identity allocator: Linux's {@code irq_matrix} as {@code imsic_matrix_init} sets it up
 * ({@code irq_alloc_matrix(nr_ids + 1, 0, nr_ids + 1)} with identity 0 and the IPI identity 1 assigned to the
 * system), so a hart offers identities 2 to {@code identities} to devices. Control path only.
 */
final class IdentityMatrix {

    /** Identity 0 is never implemented (AIA 3.1); identity 1 is {@code IMSIC_IPI_ID}, Linux's muxed IPIs. */
    static final int FIRST_DEVICE_ID = 2;

    private final int identities;
    private final BitSet[] used;
    private final int[] free;
    private final BitSet online = new BitSet();

    IdentityMatrix(int harts, int identities) {
        this.identities = identities;
        used = new BitSet[harts];
        free = new int[harts];
        for (int hart = 0; hart < harts; hart++) {
            used[hart] = new BitSet(identities + 1);
            used[hart].set(0, FIRST_DEVICE_ID); // the system's: irq_matrix_assign_system
            free[hart] = identities + 1 - FIRST_DEVICE_ID;
            online.set(hart);
        }
    }

    int harts() {
        return used.length;
    }

    int free(int hart) {
        return free[check(hart)];
    }

    int used(int hart) {
        return identities + 1 - FIRST_DEVICE_ID - free[check(hart)];
    }

    boolean allocated(int hart, int id) {
        return id >= FIRST_DEVICE_ID && id <= identities && used[check(hart)].get(id);
    }

    /** {@code irq_matrix_online}/{@code irq_matrix_offline}: an offline hart is never chosen. */
    void setOnline(int hart, boolean on) {
        online.set(check(hart), on);
    }

    /**
     * Linux's {@code matrix_find_best_cpu}: the online hart of the mask (null: every hart) with the most free
     * identities, the lowest on a tie; -1 if none has one.
     */
    int bestHart(BitSet mask) {
        int best = -1;
        for (int hart = 0; hart < used.length; hart++) {
            if ((mask == null || mask.get(hart)) && online.get(hart) && free[hart] > 0
                    && (best < 0 || free[hart] > free[best])) {
                best = hart;
            }
        }
        return best;
    }

    /**
     * The lowest free identity of an online hart ({@code irq_matrix_alloc}: the first zero bit of the hart's map).
     *
     * @throws IllegalStateException if the hart is offline or full
     */
    int allocate(int hart) {
        check(hart);
        if (!online.get(hart)) {
            throw new IllegalStateException("CPU " + hart + " is offline");
        }
        int id = used[hart].nextClearBit(FIRST_DEVICE_ID);
        if (id > identities) {
            throw new IllegalStateException("no free interrupt identity on CPU " + hart);
        }
        take(hart, id);
        return id;
    }

    /**
     * The new identity of a move of a source that cannot mask, on {@code hart}: the lowest free one, as
     * {@code imsic_vector_alloc} takes it, if it is the old identity (then only the address changes and no interim
     * message is needed) or is free on {@code oldHart} too; otherwise the lowest free on both, so the interim message
     * (old hart, new identity) reaches no other interrupt. -1 if there is none.
     */
    int allocateForMove(int hart, int oldHart, int oldId) {
        check(hart);
        check(oldHart);
        if (!online.get(hart)) {
            return -1;
        }
        int id = used[hart].nextClearBit(FIRST_DEVICE_ID);
        if (id <= identities && id != oldId && used[oldHart].get(id)) {
            BitSet either = (BitSet) used[hart].clone();
            either.or(used[oldHart]);
            id = either.nextClearBit(FIRST_DEVICE_ID);
        }
        if (id > identities) {
            return -1;
        }
        take(hart, id);
        return id;
    }

    private void take(int hart, int id) {
        used[hart].set(id);
        free[hart]--;
    }

    void release(int hart, int id) {
        if (!allocated(hart, id)) {
            throw new IllegalStateException("identity " + id + " of CPU " + hart + " is not allocated");
        }
        used[hart].clear(id);
        free[hart]++;
    }

    private int check(int hart) {
        if (hart < 0 || hart >= used.length) {
            throw new IllegalArgumentException("CPU " + hart + " out of range 0-" + (used.length - 1));
        }
        return hart;
    }
}
