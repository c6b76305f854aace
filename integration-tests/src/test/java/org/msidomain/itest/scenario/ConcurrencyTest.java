package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msidomain.hw.HwDevice;
import org.msidomain.itest.scenario.PlatformRig.Vector;
import org.msidomain.provider.dmar.internal.DmarStorageOps;
import org.msidomain.provider.hpet.internal.HpetStorageOps;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * Everything at once, bounded by counts: two threads fire every vector of the machine (PCI MSI-X, HPET,
 * DMAR, both platform devices) while a third changes affinities and masks and unmasks, and a
 * fourth binds higher-ranked providers over the bound ones and, in turns, unbinds every provider of a type
 * for a while (so masks fall back to the CPU and moves wait for the restore); with and without interrupt
 * remapping. Every event fired is delivered or merged with one already
 * pending; nothing is lost, nothing spurious. A watchdog fails the test with a thread dump on a deadlock.
 */
class ConcurrencyTest {

    private static final int CHURN_OPS = 3000;
    private static final int SWAPS = 60;

    @ParameterizedTest
    @ValueSource(strings = { "platform.json", "platform-remap.json" })
    void firingChurnAndSwapsAtOnceLoseNothing(String machine) throws Exception {
        try (PlatformRig rig = new PlatformRig(machine)) {
            List<Vector> vectors = rig.allocateAll();
            AtomicLong delivered = new AtomicLong();
            for (Vector v : vectors) {
                int[] status = { 0x34, 0x9C, 0xDC };
                rig.domain.setHandler(v.irq(), "c", v.device().id().startsWith("dmar") ? (i, cpu) -> {
                    delivered.incrementAndGet();
                    v.device().region(0).write32(status[v.index()], -1);
                } : (i, cpu) -> delivered.incrementAndGet());
            }
            List<Integer> maskable = vectors.stream().filter(v -> !v.device().id().equals("hpet")).map(v -> v.irq()).toList();
            long mergedBefore = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong fired = new AtomicLong();
            AtomicLong churnOps = new AtomicLong();
            AtomicLong moved = new AtomicLong();
            AtomicLong accepted = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch controlDone = new CountDownLatch(2);
            List<Thread> threads = new ArrayList<>();
            List<HwDevice> devices = vectors.stream().map(v -> v.device()).distinct().toList();
            for (int t = 0; t < 2; t++) {
                int mine = t;
                threads.add(start("fire-" + t, failure, () -> {
                    while (running.get()) {
                        for (Vector v : vectors) {
                            if (devices.indexOf(v.device()) % 2 == mine) {
                                v.device().raise(v.index());
                                fired.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            threads.add(start("churn", failure, () -> {
                SplittableRandom random = new SplittableRandom(7);
                try {
                    for (int n = 0; n < CHURN_OPS; n++) {
                        int irq = maskable.get(random.nextInt(maskable.size()));
                        int cpu = random.nextInt(4);
                        int from = rig.domain.irq(irq).orElseThrow().cpu();
                        try {
                            rig.domain.setAffinity(irq, cpu);
                            accepted.incrementAndGet(); // applied now, or deferred while the provider is away
                            if (from != cpu && rig.domain.irq(irq).orElseThrow().cpu() == cpu) {
                                moved.incrementAndGet(); // applied now, not deferred while unbound
                            }
                        } catch (IllegalStateException | IllegalArgumentException refused) {
                            // no room there, or CPU 2 (x2APIC id 300) out of reach without remapping
                        }
                        rig.domain.mask(irq);
                        rig.domain.unmask(irq);
                        churnOps.incrementAndGet();
                    }
                } finally {
                    controlDone.countDown();
                }
            }));
            threads.add(start("swap", failure, () -> {
                try {
                    String[] types = { "pci", "hpet", "dmar", "platform" };
                    Map<String, List<Long>> bound = new java.util.HashMap<>(Map.of("pci", new ArrayList<>(List.of(1L)),
                            "hpet", new ArrayList<>(List.of(2L)), "dmar", new ArrayList<>(List.of(3L)),
                            "platform", new ArrayList<>(List.of(4L))));
                    long id = 100;
                    for (int n = 0; n < SWAPS; n++) {
                        String type = types[n % 4];
                        if (n % 8 >= 4) {
                            // every provider of the type leaves for a while: masks fall back to the CPU and the
                            // churn's moves wait, until a new provider restores the devices
                            for (long gone : bound.get(type)) {
                                rig.domain.unbindStorageOps(null, Map.of("service.id", gone));
                            }
                            bound.get(type).clear();
                            rig.domain.awaitSettled(10_000);
                            long churned = churnOps.get();
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                            while (churnOps.get() < churned + 20 && System.nanoTime() < deadline && controlDone.getCount() > 1) {
                                Thread.onSpinWait(); // let the churn act on the unbound devices
                            }
                        }
                        MsiStorageOps fresh = switch (type) {
                            case "pci" -> new PciStorageOps();
                            case "hpet" -> new HpetStorageOps();
                            case "dmar" -> new DmarStorageOps();
                            default -> new PlatformStorageOps();
                        };
                        rig.domain.bindStorageOps(fresh, Map.of("service.id", id, "service.ranking", n,
                                MsiStorageOps.STORAGE_TYPE, type));
                        bound.get(type).add(id);
                        rig.domain.awaitSettled(10_000);
                        id++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    controlDone.countDown();
                }
            }));

            boolean finished = controlDone.await(120, TimeUnit.SECONDS);
            running.set(false);
            if (!finished) {
                throw new AssertionError("deadlock? the control threads did not finish in 120 s\n" + threadDump());
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                if (t.isAlive()) {
                    throw new AssertionError(t.getName() + " did not stop\n" + threadDump());
                }
            }
            assertNull(failure.get(), () -> "a worker failed: " + failure.get());
            rig.domain.awaitSettled(10_000);
            for (int irq : maskable) {
                rig.domain.unmask(irq); // deliver whatever is still held
            }
            long merged = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked() - mergedBefore;
            assertTrue(fired.get() > 10_000, "fired " + fired.get());
            // Refused: only CPU 2 (x2APIC id 300) where a message cannot address it without remapping. Of the
            // accepted, a quarter ask for the CPU the irq is on and some wait while their provider is away
            // (seen on a loaded machine: 2844 accepted, 722 applied without remapping; 3000 and 1943 with).
            assertTrue(accepted.get() >= CHURN_OPS / 2, "affinity changes accepted: " + accepted.get() + " of " + CHURN_OPS);
            assertTrue(moved.get() >= CHURN_OPS / 10, "moves applied at once: " + moved.get() + " of " + CHURN_OPS);
            assertEquals(List.of(), faults(rig), "no remapping fault");
            assertEquals(fired.get(), delivered.get() + merged, "every event delivered or merged with a pending one");
            assertEquals(0, rig.machine.lostMessages(), "none lost");
            for (int cpu = 0; cpu < 4; cpu++) {
                assertEquals(0, rig.domain.spurious(cpu), "none spurious on CPU " + cpu);
            }
            System.out.printf("concurrency: fired=%d delivered=%d merged=%d churn=%d accepted=%d moved=%d swaps=%d%n",
                    fired.get(), delivered.get(), merged, CHURN_OPS, accepted.get(), moved.get(), SWAPS);
        }
    }

    private static List<String> faults(PlatformRig rig) {
        return rig.machine.model("dmar0", org.msidomain.hw.internal.dmar.DmarUnit.class).orElseThrow().remapping()
                .map(t -> t.faults().stream().map(String::valueOf).distinct().limit(5).toList()).orElse(List.of());
    }

    private static Thread start(String name, AtomicReference<Throwable> failure, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String threadDump() {
        return Thread.getAllStackTraces().entrySet().stream()
                .map(e -> e.getKey().getName() + " " + e.getKey().getState() + "\n\t"
                        + java.util.Arrays.stream(e.getValue()).map(String::valueOf).collect(Collectors.joining("\n\t")))
                .collect(Collectors.joining("\n"));
    }
}
