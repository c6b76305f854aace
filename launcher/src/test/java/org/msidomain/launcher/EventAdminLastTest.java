package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** How the stop of Event Admin tells a pool thread delivering from one waiting for work. */
class EventAdminLastTest {

    @Test
    void aPoolThreadRunningATaskIsBusyAndIdleOnceItIsDone() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Event Admin 1.6.4's pools are Executors.newFixedThreadPool with named threads
        ExecutorService pool = Executors.newFixedThreadPool(1, r -> new Thread(r, "EventAdminAsyncThread #1"));
        try {
            pool.execute(() -> {
                worker.set(Thread.currentThread());
                running.countDown();
                try {
                    release.await(); // a delivery waiting for its handlers, as DenylistLatch does
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(running.await(60, TimeUnit.SECONDS));
            Thread t = worker.get();
            awaitWaiting(t);
            assertFalse(EventAdminLast.idleWorker(t, t.getStackTrace()), "a thread inside a task is busy");
            assertFalse(EventAdminLast.quiet(), "the stop does not go on while a delivery waits");
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!EventAdminLast.idleWorker(t, t.getStackTrace()) && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the worker goes back to ThreadPoolExecutor.getTask
            }
            assertTrue(EventAdminLast.idleWorker(t, t.getStackTrace()), "a thread waiting for a task is idle");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
