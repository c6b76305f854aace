package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.HwDevice;

/**
 * A device fires while its interrupt's affinity mask changes (the virtio-net dump's MSI-X): nothing is lost (a raise
 * is delivered, or merged into the pending bit while the entry is masked around its update), and
 * each delivery lands on a CPU of the mask in force: while a change runs, the old CPU or one of the new mask; once
 * it returned, only the new mask (the old vector is released after the read-back, which waits for raises under way).
 */
class AffinityMaskScenarioTest {

    private static final String NIC = "00:04.0";
    private static final int CHANGES = 400;

    @Test
    void firingWhileTheMaskChangesLosesNothingAndStaysWithinTheMask() throws Exception {
        try (Rig rig = new Rig()) {
            // the machine's handle, which counts a raise in flight so the domain's read-back flushes it
            HwDevice nic = rig.machine.device(NIC).orElseThrow();
            int[] irqs = rig.domain.allocate(NIC, 4);
            int irq = irqs[1];
            int cpus = rig.domain.cpuCount();
            for (int other : new int[] { irqs[0], irqs[2], irqs[3] }) {
                rig.domain.setHandler(other, "other", (i, cpu) -> { });
            }
            BitSet all = new BitSet();
            all.set(0, cpus);
            AtomicReference<BitSet> allowed = new AtomicReference<>(all);
            AtomicLong delivered = new AtomicLong();
            AtomicReference<String> outside = new AtomicReference<>();
            rig.domain.setHandler(irq, "masked-moves", (i, cpu) -> {
                delivered.incrementAndGet();
                BitSet now = allowed.get();
                if (!now.get(cpu)) {
                    outside.compareAndSet(null, "delivered on CPU " + cpu + " while the mask allowed " + now);
                }
            });

            long mergedBefore = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked();
            long lostBefore = rig.machine.lostMessages();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong fired = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread firing = new Thread(() -> {
                try {
                    while (running.get()) {
                        nic.raise(1);
                        fired.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "fire");
            firing.start();

            SplittableRandom random = new SplittableRandom(15);
            int moves = 0;
            for (int n = 0; n < CHANGES; n++) {
                Set<Integer> mask = new TreeSet<>();
                while (mask.isEmpty()) {
                    for (int cpu = 0; cpu < cpus; cpu++) {
                        if (random.nextInt(3) == 0) {
                            mask.add(cpu);
                        }
                    }
                }
                BitSet next = new BitSet();
                mask.forEach(next::set);
                int from = rig.info(irq).cpu();
                BitSet during = (BitSet) next.clone();
                during.set(from); // until the change returns, the message may still name the old CPU
                allowed.set(during);
                rig.domain.setAffinity(irq, mask);
                allowed.set(next);
                int to = rig.info(irq).cpu();
                assertTrue(next.get(to), "effective CPU " + to + " within " + mask);
                assertEquals(mask, rig.domain.affinityMask(irq));
                if (to != from) {
                    moves++;
                } else {
                    assertTrue(next.get(from), "stays only where its CPU is in the mask");
                }
            }
            running.set(false);
            firing.join(TimeUnit.SECONDS.toMillis(60));
            assertNull(failure.get());
            assertNull(outside.get());
            assertTrue(moves > CHANGES / 4, "the masks moved the interrupt (" + moves + " moves)");
            assertTrue(fired.get() > 0);
            // a raise while the entry is masked for the update sets the one pending bit: later ones merge with it
            long merged = rig.machine.coalescedMessages() + rig.domain.mergedWhileMasked() - mergedBefore;
            assertEquals(fired.get(), delivered.get() + merged, "every raise delivered once or merged with a pending one (merged " + merged
                    + ", lost " + (rig.machine.lostMessages() - lostBefore) + ", spurious " + rig.spurious() + ")");
            assertEquals(delivered.get(), rig.total(irq), "and counted once");
            assertEquals(lostBefore, rig.machine.lostMessages(), "nothing lost");
            assertEquals(0, rig.spurious());
            List<Long> counts = new ArrayList<>(rig.info(irq).counts());
            assertEquals(cpus, counts.size());
        }
    }

    /**
     * On platform.json CPU 2 has x2APIC id 300, which a PCI message cannot address without remapping: Linux brings
     * no such CPU online without IR, so a mask searches only the CPUs the message reaches; the one CPU alone is
     * refused as before.
     */
    @Test
    void aMaskSkipsTheCpuAMessageCannotReach() throws Exception {
        try (PlatformRig rig = new PlatformRig()) {
            int[] irqs = rig.domain.allocate("00:04.0", 4);
            for (int irq : irqs) {
                rig.count(irq);
            }
            for (int i = 0; i < 3; i++) {
                rig.domain.setAffinity(irqs[i], 1); // CPU 1 now holds more vectors than CPU 2
            }
            rig.domain.setAffinity(irqs[3], 0);
            rig.domain.setAffinity(irqs[3], Set.of(1, 2));
            assertEquals(1, rig.info(irqs[3]).cpu(), "the reachable CPU of the mask");
            assertEquals(Set.of(1, 2), rig.domain.affinityMask(irqs[3]));
            IllegalArgumentException alone = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> rig.domain.setAffinity(irqs[3], Set.of(2)));
            assertTrue(alone.getMessage().contains("APIC id 300 cannot be expressed"), alone.getMessage());
            assertEquals(Set.of(1, 2), rig.domain.affinityMask(irqs[3]), "refused: the mask in force stays");
            assertEquals(1, rig.info(irqs[3]).cpu());
        }
    }
}
