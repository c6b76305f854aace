package org.msidomain.itest.scenario;

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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.pci.PciFunction;

/**
 * The read-back that ends a move is a flush of the messages the device sent before it, not a wait for
 * a moment with none in flight: two threads keeping one vector of the LSI SAS2008's MSI-X busy with
 * overlapping slow handlers do not hold a move, mask or unmask of its other vector, and the built-in PCI
 * provider is not taken for a blocked one; a move still waits for a message whose handler is running.
 */
class FlushUnderLoadTest {

    private static final String SAS = "04:00.0"; // LSI SAS2008: MSI-X 15
    private static final long DEADLINE_S = 30;

    private Rig rig;
    private PciFunction sas;
    /** The function as the machine hands it out: its raises count in flight for the read-back flush. */
    private HwDevice sasDevice;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @BeforeEach
    void boot() throws InterruptedException {
        rig = new Rig();
        sas = rig.pci(SAS);
        sasDevice = rig.machine.device(SAS).orElseThrow();
    }

    @AfterEach
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
        }
        rig.close();
    }

    @Test
    void aMoveOfAnotherVectorCompletesWhileOverlappingMessagesKeepTheDeviceBusy() throws Exception {
        int[] irqs = rig.domain.allocate(SAS, 2);
        assertTrue(sas.msix().orElseThrow().enabled(), "MSI-X in use");
        AtomicLong entered = new AtomicLong();
        rig.domain.setHandler(irqs[0], "slow", (irq, cpu) -> {
            long me = entered.incrementAndGet();
            while (entered.get() == me && running.get()) {
                Thread.onSpinWait(); // returns only once the next message reached a handler
            }
        });
        rig.count(irqs[1]);
        for (int t = 0; t < 2; t++) {
            thread(() -> {
                while (running.get()) {
                    sasDevice.raise(0);
                }
            });
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        while (entered.get() < 2) {
            assertTrue(System.nanoTime() < end, "the firing threads did not start");
            Thread.sleep(1);
        }

        CompletableFuture<Void> control = CompletableFuture.runAsync(() -> {
            rig.domain.setAffinity(irqs[1], 2);
            rig.domain.mask(irqs[1]);
            rig.domain.unmask(irqs[1]);
        }, this::thread);
        control.get(DEADLINE_S, TimeUnit.SECONDS); // before the fix: hung until the firing stopped
        assertTrue(running.get());
        assertEquals(BindingState.BOUND, state(SAS), "the PCI provider was not taken for a blocked one");

        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
        }
        sasDevice.raise(1);
        assertEquals(1, rig.handled.get(), "the moved vector delivers once");
        assertEquals(Long.valueOf(1), rig.info(irqs[1]).counts().get(2), "on the CPU it was moved to");
        assertEquals(0, rig.spurious());
    }

    @Test
    void aMoveWaitsForAMessageWhoseHandlerIsStillRunning() throws Exception {
        int[] irqs = rig.domain.allocate(SAS, 2);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean handlerDone = new AtomicBoolean();
        rig.domain.setHandler(irqs[0], "blocked", (irq, cpu) -> {
            inHandler.countDown();
            try {
                release.await(DEADLINE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlerDone.set(true);
        });
        rig.count(irqs[1]);
        thread(() -> sasDevice.raise(0));
        assertTrue(inHandler.await(DEADLINE_S, TimeUnit.SECONDS));

        CompletableFuture<Boolean> move = CompletableFuture.supplyAsync(() -> {
            rig.domain.setAffinity(irqs[1], 2);
            return handlerDone.get();
        }, this::thread);
        assertThrows(TimeoutException.class, () -> move.get(200, TimeUnit.MILLISECONDS),
                "the move returned while a message the device sent before it was still in flight");
        release.countDown();
        assertTrue(move.get(DEADLINE_S, TimeUnit.SECONDS), "the move returned after the handler");
        assertEquals(BindingState.BOUND, state(SAS));
        sasDevice.raise(1);
        assertEquals(Long.valueOf(1), rig.info(irqs[1]).counts().get(2));
    }

    private BindingState state(String device) {
        return rig.domain.devices().stream().filter(d -> d.id().equals(device)).map(DeviceInfo::state).findFirst()
                .orElseThrow();
    }

    private Thread thread(Runnable task) {
        Thread t = new Thread(task, "flush-test");
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }
}
