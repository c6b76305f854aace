package org.msidomain.core.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The domain's control lock (Linux's sparse irq lock): reentrant for its owner, and breakable. A
 * thread stuck in provider code holds it; the {@link ProviderGuard}'s watchdog then takes ownership
 * over from that thread, repairs the state and releases it, so the rest of the domain goes on. The
 * stuck thread's later unlocks are no-ops: it no longer owns the lock. Hence a permit, not a
 * {@code ReentrantLock}, whose ownership cannot move between threads.
 */
final class ControlLock {

    private final Semaphore permit = new Semaphore(1);
    private volatile Thread owner;
    /** Holds of the owner; touched only by the owner (and by the thread that takes over). */
    private int depth;

    /**
     * Takes the lock, waiting at most {@code timeoutMillis}.
     *
     * @return false if it was not free in time
     */
    boolean lock(long timeoutMillis) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (owner == me) {
            depth++;
            return true;
        }
        if (!permit.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        owner = me;
        depth = 1;
        return true;
    }

    /** Releases one hold; a thread whose ownership was taken over releases nothing. */
    synchronized void unlock() {
        if (owner != Thread.currentThread()) {
            return;
        }
        if (--depth == 0) {
            owner = null;
            permit.release();
        }
    }

    boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    Thread owner() {
        return owner;
    }

    /**
     * Makes the calling thread the owner (one hold) in place of {@code stuck}, if {@code stuck} owns the
     * lock and {@code abandon} succeeds. Atomic with the owner's {@link #unlock}: the stuck thread either
     * released the lock before, or finds it taken over after.
     *
     * @return false if {@code stuck} does not own the lock or {@code abandon} refused
     */
    synchronized boolean takeOver(Thread stuck, BooleanSupplier abandon) {
        if (stuck == null || owner != stuck || !abandon.getAsBoolean()) {
            return false;
        }
        owner = Thread.currentThread();
        depth = 1;
        return true;
    }
}
