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
import java.util.concurrent.atomic.AtomicLong;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;

/**
 * A register read of a device whose messages are always in flight (two firing threads, each handler
 * returning only once the next message has reached its handler) returns, and a read still waits for a
 * message whose handler has not returned. The device is the machine's (the flush is the machine's, around
 * every device a kind creates).
 */
class ReadBackUnderLoadTest {

    private static final long DEADLINE_S = 30;
    private static final int SLOT_SIZE = 16;
    private static final int CTRL = 12;

    private volatile VectorSink sink;
    private final SimMachine machine = new SimMachine(new MachineSpec(List.of(0), List.of(), Set.of(), null, List.of(),
            List.of(new MachineDescription.PlatformEntry("ims", 2, false)), List.of()));
    private final HwDevice device = machine.device("ims").orElseThrow();
    private final Mmio registers = device.region(0);

    ReadBackUnderLoadTest() {
        machine.connect((cpu, vector) -> sink.accept(cpu, vector));
        registers.write32(0, 0xFEE0_0000); // slot 0: APIC 0, fixed, vector 0x30, unmasked
        registers.write32(8, 0x30);
        registers.write32(CTRL, 0);
    }

    @Test
    void aReadBackReturnsWhileOverlappingMessagesKeepTheDeviceBusy() throws Exception {
        AtomicLong entered = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        sink = (cpu, vector) -> {
            long me = entered.incrementAndGet();
            while (entered.get() == me && running.get()) {
                Thread.onSpinWait(); // slow handler: returns once the next message has arrived
            }
        };
        List<Thread> firing = fire(2, running);
        try {
            awaitAtLeast(entered, 2);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> registers.read32(SLOT_SIZE + CTRL), this::thread);
            assertEquals(1, read.get(DEADLINE_S, TimeUnit.SECONDS), "slot 1 is masked at reset");
            assertTrue(running.get());
        } finally {
            running.set(false);
            for (Thread t : firing) {
                t.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
            }
        }
    }

    @Test
    void aReadBackWaitsForAMessageWhoseHandlerIsStillRunning() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean handlerDone = new AtomicBoolean();
        sink = (cpu, vector) -> {
            inHandler.countDown();
            try {
                release.await(DEADLINE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlerDone.set(true);
        };
        Thread firing = thread(() -> device.raise(0));
        assertTrue(inHandler.await(DEADLINE_S, TimeUnit.SECONDS));
        CompletableFuture<Boolean> read = CompletableFuture.supplyAsync(() -> {
            registers.read32(SLOT_SIZE + CTRL);
            return handlerDone.get();
        }, this::thread);
        assertThrows(TimeoutException.class, () -> read.get(200, TimeUnit.MILLISECONDS),
                "the read-back returned while the device's earlier message was still in flight");
        release.countDown();
        assertTrue(read.get(DEADLINE_S, TimeUnit.SECONDS), "the read-back returned after the handler");
        firing.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    private List<Thread> fire(int threads, AtomicBoolean running) {
        List<Thread> out = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            out.add(thread(() -> {
                while (running.get()) {
                    device.raise(0);
                }
            }));
        }
        return out;
    }

    private static void awaitAtLeast(AtomicLong counter, long n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        while (counter.get() < n) {
            assertTrue(System.nanoTime() < end, "the firing threads did not start");
            Thread.sleep(1);
        }
    }

    private Thread thread(Runnable task) {
        Thread t = new Thread(task, "read-back-test");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
