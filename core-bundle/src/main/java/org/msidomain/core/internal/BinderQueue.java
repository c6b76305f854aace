package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The domain's binder thread and its queue: binding events (SCR's callbacks, hotplug, listeners) run
 * there one at a time, each under the control lock ({@link #post}).
 *
 * <p>Threads: {@link #post} and {@link #submit} are called from any thread (SCR's, the machine's, a
 * command's) without the control lock; {@link #replaceIfStranded} is called by the watchdog holding the
 * control lock it took over. The binder thread is replaced when a provider call strands it, with the
 * events queued behind it.
 */
final class BinderQueue {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    /** Runs an event under the control lock (the domain's lock wrapper). */
    private final Consumer<Runnable> locked;
    /** The single thread that runs binding events; replaced if a provider call strands it. */
    private volatile ExecutorService binder;
    private volatile Thread binderThread;
    private volatile boolean deactivated;

    BinderQueue(Consumer<Runnable> locked) {
        this.locked = locked;
        binder = newBinder();
    }

    private ExecutorService newBinder() {
        // one thread, unbounded queue (newSingleThreadExecutor's), as a pool whose queue a test can see
        return new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "msi-binder");
                    t.setDaemon(true);
                    binderThread = t;
                    return t;
                });
    }

    /** Queues a binding event; after deactivation (SCR unbinds what is left) there is nothing to do. */
    void post(Runnable event) {
        submit(() -> {
            try {
                locked.accept(event);
            } catch (IllegalStateException e) {
                LOG.log(Level.ERROR, e.getMessage());
            }
        });
    }

    /** Runs a task on the binder thread, on the replacement if the binder is being replaced. */
    java.util.concurrent.Future<?> submit(Runnable task) {
        while (!deactivated) {
            try {
                return binder.submit(task);
            } catch (java.util.concurrent.RejectedExecutionException replaced) {
                Thread.onSpinWait(); // onAbandoned swaps the binder: take the new one
            }
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** From now on nothing more is queued: a task submitted after this completes at once, unrun. */
    void deactivate() {
        deactivated = true;
    }

    /** Stops the binder thread, dropping the events still queued. */
    void shutdown() {
        // queued events are dropped: cancel their futures, or an awaitSettled behind them (a job, a command,
        // a health check while the framework stops) would wait its whole timeout for a task that never runs
        for (Runnable dropped : binder.shutdownNow()) {
            if (dropped instanceof java.util.concurrent.Future<?> f) {
                f.cancel(false);
            }
        }
    }

    /** A provider call stranded {@code stuck}: if it is the binder thread, a new one takes its queue over. */
    void replaceIfStranded(Thread stuck) {
        if (stuck == binderThread) {
            ExecutorService old = binder;
            binder = newBinder();
            for (Runnable queued : old.shutdownNow()) {
                binder.execute(queued);
            }
        }
    }

    /** Whether every event queued before this call has run, waiting at most {@code timeoutMillis}. */
    boolean awaitSettled(long timeoutMillis) throws InterruptedException {
        try {
            submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.CancellationException e) {
            return false; // cancelled: the domain was deactivated before it settled
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** How many events wait for the binder thread. */
    int queued() {
        return binder instanceof java.util.concurrent.ThreadPoolExecutor pool ? pool.getQueue().size() : -1;
    }
}
