package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * A drain (the flush a register read-back performs) waits for the messages begun before it, as a PCIe
 * read completion pushes the device's earlier posted writes, and never for messages begun after it: a
 * device that always has a message in flight does not hold a read-back forever.
 */
class InFlightTest {

    private static final long DEADLINE_S = 30;

    @Test
    void aDrainReturnsWhileLaterMessagesKeepTheDeviceBusy() throws Exception {
        InFlight inFlight = new InFlight();
        AtomicBoolean drained = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch busy = new CountDownLatch(1);
        // One device thread keeps overlapping messages in flight: the next begins before the previous ends,
        // so the count never reaches zero while it runs.
        CompletableFuture<Long> device = CompletableFuture.supplyAsync(() -> {
            long messages = 0;
            int previous = inFlight.begin();
            busy.countDown();
            while (!drained.get() && !stop.get()) {
                int next = inFlight.begin();
                inFlight.end(previous);
                previous = next;
                messages++;
            }
            inFlight.end(previous);
            return messages;
        }, daemon());
        try {
            assertTrue(busy.await(DEADLINE_S, TimeUnit.SECONDS));
            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
                inFlight.drain();
                drained.set(true);
            }, daemon());
            drain.get(DEADLINE_S, TimeUnit.SECONDS); // before the fix: waits for a moment with nothing in flight, forever
            assertTrue(device.get(DEADLINE_S, TimeUnit.SECONDS) >= 1, "the message in flight at the drain ended first");
        } finally {
            stop.set(true);
        }
    }

    @Test
    void aDrainWaitsForAMessageBegunBeforeIt() throws Exception {
        InFlight inFlight = new InFlight();
        int early = inFlight.begin();
        AtomicBoolean earlyEnded = new AtomicBoolean();
        CompletableFuture<Boolean> drain = CompletableFuture.supplyAsync(() -> {
            inFlight.drain();
            return earlyEnded.get();
        }, daemon());
        // Later messages come and go meanwhile; they neither release the drain nor hold it.
        for (int i = 0; i < 1000; i++) {
            inFlight.end(inFlight.begin());
        }
        assertThrows(TimeoutException.class, () -> drain.get(200, TimeUnit.MILLISECONDS),
                "the drain returned while a message begun before it was still in flight");
        int late = inFlight.begin();
        earlyEnded.set(true);
        inFlight.end(early);
        assertTrue(drain.get(DEADLINE_S, TimeUnit.SECONDS), "the drain returned only after the early message ended");
        inFlight.end(late);
    }

    @Test
    void nothingInFlightDrainsAtOnce() {
        InFlight inFlight = new InFlight();
        inFlight.drain();
        inFlight.end(inFlight.begin());
        inFlight.drain();
    }

    /**
     * Three device threads, each keeping two overlapping messages, and two drain threads at once. Each
     * drain notes how many messages every device thread had begun before it and checks, on return, that
     * all of those ended: no message begun before a drain is ever missed, whatever the phase flips of
     * the other drains.
     */
    @Test
    void concurrentDrainsNeverMissAMessageBegunBeforeThem() throws Exception {
        int devices = 3;
        int drainers = 2;
        int drainsEach = 100;
        InFlight inFlight = new InFlight();
        AtomicLongArray begun = new AtomicLongArray(devices); // counted after begin() returned
        AtomicLongArray ended = new AtomicLongArray(devices); // counted before end() is called; ends are FIFO per thread
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        List<CompletableFuture<Void>> firing = new ArrayList<>();
        for (int t = 0; t < devices; t++) {
            int me = t;
            firing.add(CompletableFuture.runAsync(() -> {
                int previous = inFlight.begin();
                begun.incrementAndGet(me);
                while (!stop.get()) {
                    int next = inFlight.begin();
                    begun.incrementAndGet(me);
                    ended.incrementAndGet(me);
                    inFlight.end(previous);
                    previous = next;
                }
                ended.incrementAndGet(me);
                inFlight.end(previous);
            }, daemon()));
        }
        List<CompletableFuture<Void>> draining = new ArrayList<>();
        for (int d = 0; d < drainers; d++) {
            draining.add(CompletableFuture.runAsync(() -> {
                long[] before = new long[devices];
                for (int i = 0; i < drainsEach; i++) {
                    for (int t = 0; t < devices; t++) {
                        before[t] = begun.get(t);
                    }
                    inFlight.drain();
                    for (int t = 0; t < devices; t++) {
                        if (ended.get(t) < before[t]) {
                            violation.compareAndSet(null, "drain " + i + " returned with device thread " + t + " at "
                                    + ended.get(t) + " ended of " + before[t] + " begun before it");
                        }
                    }
                }
            }, daemon()));
        }
        try {
            CompletableFuture.allOf(draining.toArray(CompletableFuture[]::new)).get(DEADLINE_S * 4, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
        }
        CompletableFuture.allOf(firing.toArray(CompletableFuture[]::new)).get(DEADLINE_S, TimeUnit.SECONDS);
        assertEquals(null, violation.get());
        for (int t = 0; t < devices; t++) {
            assertEquals(begun.get(t), ended.get(t));
        }
    }

    /** Threads of their own: the common pool may have fewer threads than the test needs at once. */
    private static java.util.concurrent.Executor daemon() {
        return task -> {
            Thread t = new Thread(task, "in-flight-test");
            t.setDaemon(true);
            t.start();
        };
    }
}
