package org.msidomain.core.internal;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A bounded wait for provider code. Every call into a provider runs on the caller's thread, under the
 * control lock, between {@link #begin} and {@link #end}; a watchdog thread samples which call is in
 * progress. A call still in progress after the bound is abandoned: the watchdog takes the control lock
 * over from the stuck thread, repairs what the stuck operation left half done ({@link #repairWith}),
 * lets the domain mark the device failed, releases the lock and interrupts the stuck thread. If that
 * thread ever returns, it finds its call abandoned and unwinds with {@link Abandoned} without touching
 * the domain again (it owns no lock, and provider calls without the lock are refused).
 *
 * <p>The cost on the control path is one volatile store and one compare-and-set per provider call; the
 * interrupt path never enters a provider.
 */
final class ProviderGuard {

    /** What the watchdog abandoned, for the domain's repair and report. */
    record Stuck(Thread thread, String device, String provider, String operation, long millis) {
    }

    /** Thrown in a thread whose provider call was abandoned; an Error, so no cleanup code catches it. */
    static final class Abandoned extends Error {
        private static final long serialVersionUID = 1L;

        Abandoned(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * An {@link Error} provider code threw ({@code AssertionError}, {@code NoClassDefFoundError} of a bundle
     * refreshed away, {@code StackOverflowError} of its recursion, ...): a provider fault like any other, so
     * it comes back as a RuntimeException and is contained the same way. The message is the Error's own.
     */
    static final class ProviderError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProviderError(Error cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A repair that runs once, by whoever comes first: the operation's finally or the watchdog. */
    static final class Once implements Runnable {
        private final Runnable action;
        private final AtomicBoolean done = new AtomicBoolean();

        Once(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        }
    }

    /** Even, so the watchdog never takes it for a call in progress. */
    private static final long ABANDONED = -2;

    private final ControlLock lock;
    private final long boundNanos;
    private final Consumer<Stuck> onAbandon;
    /** (call id << 1) | 1 while a call is in provider code, (call id << 1) after it, ABANDONED after abandonment. */
    private final AtomicLong slot = new AtomicLong();
    /** Repairs of the operation in progress; published to the watchdog by the slot. */
    private final ArrayDeque<Once> repairs = new ArrayDeque<>();
    private final Thread watchdog;
    /** What each thread whose call was abandoned tells its caller, until it has unwound. */
    private final Map<Thread, String> reports = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Under the control lock. The fields below describe the call in progress; published by the slot. */
    private long calls;
    private String device = "";
    private String provider = "";
    private String operation = "";

    /**
     * @param boundMillis how long a provider call may take; 0 waits without bound (no watchdog thread)
     */
    ProviderGuard(ControlLock lock, long boundMillis, Consumer<Stuck> onAbandon) {
        if (boundMillis < 0) {
            throw new IllegalArgumentException("provider timeout must be 0 (none) or more ms, not " + boundMillis);
        }
        this.lock = lock;
        this.boundNanos = boundMillis * 1_000_000;
        this.onAbandon = onAbandon;
        if (boundMillis == 0) {
            watchdog = null;
            return;
        }
        watchdog = new Thread(this::watch, "msi-provider-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    long boundMillis() {
        return boundNanos / 1_000_000;
    }

    /**
     * Enters provider code.
     *
     * @throws Abandoned if the caller does not hold the control lock: its operation was abandoned
     */
    private long begin(String deviceId, String providerName, String op) {
        if (!lock.isHeldByCurrentThread()) {
            throw abandoned(); // unwinding after abandonment: no more provider calls
        }
        device = deviceId;
        provider = providerName;
        operation = op;
        long id = ++calls;
        slot.set(id << 1 | 1);
        return id;
    }

    /**
     * Leaves provider code.
     *
     * @throws Abandoned if the watchdog abandoned the call meanwhile
     */
    private void end(long id) {
        if (!slot.compareAndSet(id << 1 | 1, id << 1)) {
            Thread.interrupted(); // the watchdog's interrupt was for the provider code, not for the caller
            throw abandoned();
        }
    }

    /** What a thread whose call was abandoned throws, with the watchdog's account of it. */
    Abandoned abandoned() {
        return new Abandoned(reports.getOrDefault(Thread.currentThread(), "the operation was abandoned"));
    }

    /** The thread has unwound out of the domain: its account is no longer needed. */
    void unwound() {
        reports.remove(Thread.currentThread());
    }

    /** Runs provider code within the bounded wait; an Error it throws comes back as a {@link ProviderError}. */
    void run(String deviceId, String providerName, String op, Runnable work) {
        long call = begin(deviceId, providerName, op);
        try {
            work.run();
        } catch (Error e) {
            throw fault(e);
        } finally {
            end(call);
        }
    }

    /** Runs provider code that answers, within the bounded wait; an Error it throws comes back as a {@link ProviderError}. */
    <T> T call(String deviceId, String providerName, String op, Supplier<T> work) {
        long call = begin(deviceId, providerName, op);
        try {
            return work.get();
        } catch (Error e) {
            throw fault(e);
        } finally {
            end(call);
        }
    }

    /**
     * What an Error from provider code becomes. The JVM's own failures ({@link VirtualMachineError} such as
     * OutOfMemoryError or InternalError, but not StackOverflowError, which is the provider's recursion and
     * unwound by now) go on up as they are: no repair can be trusted then. {@link Abandoned} keeps its meaning.
     */
    private static RuntimeException fault(Error e) {
        if (e instanceof Abandoned || (e instanceof VirtualMachineError && !(e instanceof StackOverflowError))) {
            throw e;
        }
        return new ProviderError(e);
    }

    /**
     * Registers what must be repaired if the operation in progress is abandoned, until {@link #clear};
     * repairs nest and run innermost first. Owner of the control lock only.
     */
    void repairWith(Once repair) {
        repairs.push(repair);
    }

    /**
     * Withdraws a repair when its part of the operation is over. A thread whose call was abandoned owns
     * no lock and leaves the repairs alone: the watchdog ran them.
     */
    void clear(Once repair) {
        if (lock.isHeldByCurrentThread() && repairs.peek() == repair) {
            repairs.pop();
        }
    }

    void close() {
        closed = true;
        if (watchdog != null) {
            LockSupport.unpark(watchdog);
        }
    }

    private void watch() {
        long tick = Math.max(1_000_000, Math.min(boundNanos / 4, 50_000_000));
        long seen = 0;
        long seenAt = System.nanoTime();
        while (!closed) {
            LockSupport.parkNanos(tick);
            long v = slot.get();
            long now = System.nanoTime();
            if ((v & 1) == 0 || v != seen) {
                seen = v;
                seenAt = now;
            } else if (now - seenAt >= boundNanos) {
                abandon(v, (now - seenAt) / 1_000_000);
                seen = 0;
            }
        }
    }

    private void abandon(long call, long millis) {
        Thread stuck = lock.owner();
        Stuck what = new Stuck(stuck, device, provider, operation, millis);
        if (!lock.takeOver(stuck, () -> slot.compareAndSet(call, ABANDONED))) {
            return; // the call returned just now
        }
        reports.put(stuck, "provider " + what.provider() + " took longer than " + boundMillis() + " ms in "
                + what.operation() + " on " + what.device() + "; the operation was abandoned");
        try {
            while (!repairs.isEmpty()) {
                repairs.pop().run();
            }
            onAbandon.accept(what);
        } catch (RuntimeException e) {
            System.getLogger("org.msidomain.core").log(System.Logger.Level.ERROR,
                    "repairing after an abandoned provider call: " + e);
        } finally {
            lock.unlock();
            stuck.interrupt();
        }
    }
}
