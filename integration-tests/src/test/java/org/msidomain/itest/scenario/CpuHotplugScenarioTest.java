package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msidomain.api.CpuInfo;
import org.msidomain.api.DeviceInfo;
import org.msidomain.hw.HwDevice;

/**
 * CPU hotplug under firing, bounded by counts: two threads fire every vector of the machine (PCI MSI-X, maskable;
 * HPET and platform slots that cannot mask, moved in two steps; DMAR) while a third takes CPUs offline and online
 * {@value #CYCLES} times (now and then two at once, so some affinities break), with and without interrupt
 * remapping. Per vector: fired = delivered + merged, where merged are the events the hardware merged with one
 * already pending (at the source: {@code HwDevice.merged}; in the domain or a disabled CPU's IRR:
 * {@code MsiDomain.merged}); nothing lost, nothing spurious, every CPU's vectors gone while it is offline.
 */
class CpuHotplugScenarioTest {

    private static final int CYCLES = 150;

    @ParameterizedTest
    @ValueSource(strings = { "platform.json", "platform-remap.json" })
    void firingWhileCpusGoOfflineAndOnlineLosesNothingPerVector(String machineFile) throws Exception {
        try (PlatformRig rig = new PlatformRig(machineFile)) {
            List<Vector> vectors = new ArrayList<>();
            for (DeviceInfo d : rig.domain.devices()) {
                HwDevice hw = rig.machine.device(d.id()).get();
                if (d.id().equals("hpet")) {
                    for (int t = 2; t < 8; t++) {
                        vectors.add(new Vector(hw, t, rig.domain.allocateAt("hpet", t)));
                    }
                } else {
                    int[] irqs = rig.domain.allocate(d.id(), Math.min(4, rig.domain.maxVectors(d.id())));
                    for (int i = 0; i < irqs.length; i++) {
                        vectors.add(new Vector(hw, i, irqs[i]));
                    }
                }
            }
            AtomicLongArray fired = new AtomicLongArray(vectors.size());
            AtomicLongArray delivered = new AtomicLongArray(vectors.size());
            int[] status = { 0x34, 0x9C, 0xDC };
            for (int n = 0; n < vectors.size(); n++) {
                Vector v = vectors.get(n);
                int slot = n;
                rig.domain.setHandler(v.irq, "c", v.device.id().startsWith("dmar") ? (i, cpu) -> {
                    delivered.incrementAndGet(slot);
                    v.device.region(0).write32(status[v.index], -1); // dmar_fault clears the status
                } : (i, cpu) -> delivered.incrementAndGet(slot));
            }
            long mergedBefore = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked();
            long[] mergedBase = new long[vectors.size()];
            for (int n = 0; n < vectors.size(); n++) {
                mergedBase[n] = merged(rig, vectors.get(n));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<HwDevice> devices = vectors.stream().map(v -> v.device).distinct().toList();
            List<Thread> firing = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int mine = t;
                firing.add(start("fire-" + t, failure, () -> {
                    while (running.get()) {
                        for (int n = 0; n < vectors.size(); n++) {
                            Vector v = vectors.get(n);
                            if (devices.indexOf(v.device) % 2 == mine) {
                                v.device.raise(v.index);
                                fired.incrementAndGet(n);
                            }
                        }
                    }
                }));
            }
            int emptyWhileOffline = 0;
            SplittableRandom random = new SplittableRandom(11);
            try {
                for (int c = 0; c < CYCLES; c++) {
                    int cpu = random.nextInt(4);
                    int other = c % 5 == 0 ? (cpu + 1 + random.nextInt(3)) % 4 : -1; // two at once now and then
                    rig.domain.cpuOffline(cpu);
                    if (other >= 0) {
                        rig.domain.cpuOffline(other);
                    }
                    CpuInfo dead = rig.domain.cpus().get(cpu);
                    if (!dead.online() && dead.vectors() == 0) {
                        emptyWhileOffline++;
                    }
                    rig.domain.cpuOnline(cpu);
                    if (other >= 0) {
                        rig.domain.cpuOnline(other);
                    }
                }
            } finally {
                running.set(false);
                for (Thread t : firing) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            assertNull(failure.get(), () -> "a firing thread failed: " + failure.get());
            assertEquals(CYCLES, emptyWhileOffline, "every offline CPU held no vector");
            long merged = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked() - mergedBefore;
            long perVector = 0;
            long total = 0;
            for (int n = 0; n < vectors.size(); n++) {
                long f = fired.get(n);
                long d = delivered.get(n);
                long m = merged(rig, vectors.get(n)) - mergedBase[n];
                int irq = vectors.get(n).irq;
                assertTrue(f > 0, "irq " + irq + " fired");
                assertEquals(f, d + m, "irq " + irq + ": fired = delivered + merged (delivered " + d + ", merged " + m + ")");
                assertEquals(d, rig.domain.irq(irq).orElseThrow().total(), "irq " + irq + ": the domain's count");
                perVector += m;
                total += f;
            }
            assertEquals(merged, perVector, "the machine's merges are the vectors' merges");
            assertEquals(0, rig.machine.lostMessages(), "none lost");
            for (int cpu = 0; cpu < 4; cpu++) {
                assertEquals(0, rig.domain.spurious(cpu), "none spurious on CPU " + cpu);
                assertTrue(rig.domain.cpus().get(cpu).online());
            }
            System.out.printf("cpu hotplug (%s): fired=%d merged=%d cycles=%d vectors=%d%n", machineFile, total, merged,
                    CYCLES, vectors.size());
        }
    }

    private record Vector(HwDevice device, int index, int irq) {
    }

    /** A vector's merges so far: at its source and in the domain or an IRR. */
    private static long merged(PlatformRig rig, Vector v) {
        long atSource = v.device.merged(v.device.storageType(), v.index);
        assertTrue(atSource >= 0, v.device.id() + " counts merges per interrupt");
        return atSource + rig.domain.merged(v.irq);
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
}
