package org.msidomain.app.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Waits, up to a deadline, until something reaches a state: listeners call {@link #changed()}, the waiter
 * looks again after every change. The change count is read before each look, so a change that comes between
 * the look and the wait is not missed (the listeners are registered before the first look).
 */
final class StateWait {

    /** The state now, as a word; may block briefly (e.g. until the domain settled), never beyond the time given. */
    interface Probe {
        String state(long remainingMillis) throws InterruptedException;
    }

    /** What the wait saw last, whether it was wanted, and after how long. */
    record Outcome(boolean reached, String state, long millis) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition change = lock.newCondition();
    private long changes;

    /** Something may have changed: look again. */
    void changed() {
        lock.lock();
        try {
            changes++;
            change.signalAll();
        } finally {
            lock.unlock();
        }
    }

    Outcome await(Probe probe, Predicate<String> wanted, long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = changes;
            } finally {
                lock.unlock();
            }
            String state = probe.state(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (wanted.test(state)) {
                return new Outcome(true, state, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            lock.lock();
            try {
                while (changes == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return new Outcome(false, state, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    }
                    change.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
