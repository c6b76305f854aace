package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * The read-back flush covers a PCI function's second storage: a message of its IMS slot array (a raise on
 * another thread, or an unmask write releasing a pending raise) has reached the CPU before a read of the
 * function's registers, the slot array's or the config space, returns (the ConnectX-3 Pro dump, 8 slots in BAR2).
 */
class ImsSlotArrayFlushTest {

    private static final long DEADLINE_S = 30;
    /** How long a read that must wait is watched before the handler is let go. */
    private static final long STILL_WAITING_MS = 200;

    @TempDir
    Path dir;

    private final CountDownLatch inHandler = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean handlerDone = new AtomicBoolean();

    private HwDevice function() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/corpus/public/mellanox-mt27520-connectx3pro.txt")) {
            Files.copy(in, dir.resolve("cx3.txt"));
        }
        Path file = Files.writeString(dir.resolve("m.json"), "{\"cpus\": 1, \"devices\": [{\"kind\": \"pci\", \"name\": "
                + "\"03:00.0\", \"properties\": {\"dump\": \"cx3.txt\", \"ims.slots\": 8, \"ims.bar\": 2}}]}");
        SimMachine m = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get));
        m.connect((cpu, vector) -> {
            inHandler.countDown();
            try {
                release.await(DEADLINE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlerDone.set(true);
        });
        HwDevice f = m.device("03:00.0").orElseThrow();
        Mmio bar2 = f.region(2);
        bar2.write32(0x50, 0xFEE00000); // slot 5: APIC 0, vector 0x30 (compatibility format)
        bar2.write32(0x58, 0x30);
        return f;
    }

    @Test
    void aConfigReadWaitsForASlotsMessageRaisedOnAnotherThread() throws Exception {
        HwDevice f = function();
        f.region(2).write32(0x5C, 0); // unmasked
        Thread firing = thread(() -> f.raise("platform", 5));
        assertReadWaitsForTheHandler(() -> f.config().orElseThrow().read16(0));
        firing.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    @Test
    void aSlotReadWaitsForTheMessageAnUnmaskReleased() throws Exception {
        HwDevice f = function();
        f.raise("platform", 5); // masked at reset: latched, nothing sent
        assertEquals(1, inHandler.getCount());
        Thread unmasking = thread(() -> f.region(2).write32(0x5C, 0));
        assertReadWaitsForTheHandler(() -> f.region(2).read32(0x58));
        unmasking.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
    }

    private void assertReadWaitsForTheHandler(Runnable registerRead) throws Exception {
        assertTrue(inHandler.await(DEADLINE_S, TimeUnit.SECONDS), "the message reached the handler");
        CompletableFuture<Boolean> read = CompletableFuture.supplyAsync(() -> {
            registerRead.run();
            return handlerDone.get();
        }, this::thread);
        assertThrows(TimeoutException.class, () -> read.get(STILL_WAITING_MS, TimeUnit.MILLISECONDS),
                "the read returned while the slot's message was still in flight");
        release.countDown();
        assertTrue(read.get(DEADLINE_S, TimeUnit.SECONDS), "the read returned after the handler");
    }

    private Thread thread(Runnable task) {
        Thread t = new Thread(task, "ims-flush-test");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
