package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Messages a device has started to send and not yet handed to the APIC. A CPU read of the device's
 * registers waits for them, as a PCIe read completion may not pass the device's earlier posted writes:
 * that is what makes Linux's read-back after a message update a flush.
 *
 * <p>A drain waits for the messages begun before it, never for later ones, so a device kept busy by
 * overlapping messages (slow handlers on several firing threads) cannot hold a read-back forever. It
 * uses two alternating phases, as SRCU does: a message counts in the current phase; a drain flips the
 * phase and waits for the old phase's count to reach zero, while new messages count in the new one.
 * Chosen over tickets (a "completed" counter cannot pass a ticket whose message is slow while later
 * ones complete out of order) and over per-thread slots (firing threads are not known in advance, and
 * a slot array would need allocation or a bound): the hot path stays two atomic adds on a per-device
 * counter and one extra volatile read, allocation-free and lock-free. Drains, rare and off the hot
 * path, take turns on this object's monitor, so a phase is never reused while a drain still waits on it.
 */
public final class InFlight {

    /** Messages counted per phase; a phase is {@code generation & 1}. */
    private final AtomicIntegerArray count = new AtomicIntegerArray(2);
    /** Flips so far; written only by a drain holding the monitor. */
    private volatile long generation;
    /** Every message counted in a generation below this one has ended (guarded by the monitor). */
    private long drainedBelow;

    /**
     * A message starts; pass the returned phase to {@link #end}. A drain that flips between the phase
     * read and the count may already have seen the old phase empty: the message then counts again in
     * the new phase, so no message is ever counted where no later drain looks.
     */
    public int begin() {
        for (;;) {
            int phase = (int) generation & 1;
            count.incrementAndGet(phase);
            if (((int) generation & 1) == phase) {
                return phase;
            }
            count.decrementAndGet(phase);
        }
    }

    /** The message begun in {@code phase} has been handed on. */
    public void end(int phase) {
        count.decrementAndGet(phase);
    }

    /** Returns once every message begun before the call has ended; later ones are not waited for. */
    public void drain() {
        if (count.get(0) == 0 && count.get(1) == 0) {
            return; // nothing in flight: the usual case, no flip
        }
        long asked = generation; // every message begun before the call counts in a generation <= asked
        synchronized (this) {
            if (drainedBelow > asked) {
                return; // a drain that flipped after the call waited for them all
            }
            long old = generation;
            generation = old + 1;
            awaitEmpty((int) old & 1);
            drainedBelow = old + 1; // the earlier phases were drained by the earlier flips
        }
    }

    private void awaitEmpty(int phase) {
        int spins = 0;
        long park = 1_000;
        while (count.get(phase) != 0) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(park); // a slow handler: stop burning a CPU it may need
                park = Math.min(park * 2, 1_000_000);
            }
        }
    }
}
