package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;

/**
 * The read-back flush for a device of an outside kind, which does nothing for it: a register read returns
 * only after every message the device sent before it reached the CPU (its handler returned), whether the
 * message came from a raise or from a register write (an unmask releasing a pending raise); and a device
 * whose kind leaves is removed only after its message under way is delivered.
 */
class OutsideDeviceFlushTest {

    private static final long DEADLINE_S = 30;
    /** How long a read that must wait is watched before the handler is let go. */
    private static final long STILL_WAITING_MS = 200;

    private volatile VectorSink sink;
    private final TestKind kind = new TestKind();
    private final KindService service = new KindService("ntb", kind, 0, 1);
    private final SimMachine machine;
    private final HwDevice ntb;
    private final Mmio registers;
    private final CountDownLatch inHandler = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean handlerDone = new AtomicBoolean();

    OutsideDeviceFlushTest() {
        String json = "{\"cpus\": 1, \"devices\": [{\"kind\": \"ntb\", \"name\": \"ntb0\", \"requesterId\": \"03:00.0\"}]}";
        List<KindService> kinds = new ArrayList<>(BuiltInKinds.services());
        kinds.add(service);
        machine = new SimMachine(MachineLoader.fromDescription("m.json",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), name -> new byte[0]), kinds);
        machine.connect((cpu, vector) -> sink.accept(cpu, vector));
        ntb = machine.device("ntb0").orElseThrow();
        registers = ntb.region(0);
        registers.write32(0, 0xFEE0_0000); // APIC 0, fixed, vector 0x30 (compatibility format)
        registers.write32(8, 0x30);
        sink = (cpu, vector) -> {
            inHandler.countDown();
            try {
                release.await(DEADLINE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlerDone.set(true);
        };
    }

    @Test
    void aReadWaitsForTheMessageOfARaiseOnAnotherThread() throws Exception {
        registers.write32(12, 0); // unmasked
        Thread firing = thread(() -> ntb.raise(0));
        assertReadWaitsForTheHandler();
        firing.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    @Test
    void aReadWaitsForTheMessageAnUnmaskWriteReleased() throws Exception {
        ntb.raise(0); // masked at reset: latched as pending, nothing sent
        assertEquals(1, inHandler.getCount());
        Thread unmasking = thread(() -> registers.write32(12, 0));
        assertReadWaitsForTheHandler();
        unmasking.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    @Test
    void aKindLeavingWaitsForTheMessageUnderWayBeforeTheDeviceIsRemoved() throws Exception {
        registers.write32(12, 0);
        List<Boolean> handlerDoneAtRemoval = new ArrayList<>();
        machine.addListener(new org.msidomain.hw.MachineListener() {
            @Override
            public void deviceAdded(HwDevice device) {
            }

            @Override
            public void deviceRemoved(HwDevice device) {
                handlerDoneAtRemoval.add(handlerDone.get());
            }
        });
        Thread firing = thread(() -> ntb.raise(0));
        assertTrue(inHandler.await(DEADLINE_S, TimeUnit.SECONDS));
        CompletableFuture<Void> removal = CompletableFuture.runAsync(() -> machine.kindRemoved(service), this::thread);
        assertThrows(TimeoutException.class, () -> removal.get(STILL_WAITING_MS, TimeUnit.MILLISECONDS),
                "the device was removed while its message was still in flight");
        release.countDown();
        removal.get(DEADLINE_S, TimeUnit.SECONDS);
        assertEquals(List.of(true), handlerDoneAtRemoval, "listeners hear of the removal after the last message");
        firing.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    private void assertReadWaitsForTheHandler() throws Exception {
        assertTrue(inHandler.await(DEADLINE_S, TimeUnit.SECONDS), "the message reached the handler");
        CompletableFuture<Boolean> read = CompletableFuture.supplyAsync(() -> {
            registers.read32(8);
            return handlerDone.get();
        }, this::thread);
        assertThrows(TimeoutException.class, () -> read.get(STILL_WAITING_MS, TimeUnit.MILLISECONDS),
                "the read returned while the device's earlier message was still in flight");
        release.countDown();
        assertTrue(read.get(DEADLINE_S, TimeUnit.SECONDS), "the read returned after the handler");
    }

    private Thread thread(Runnable task) {
        Thread t = new Thread(task, "outside-flush-test");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
