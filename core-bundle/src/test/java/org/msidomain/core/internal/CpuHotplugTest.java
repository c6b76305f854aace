package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.CpuInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/**
 * CPU hotplug (x86 {@code fixup_irqs}, {@code irq_migrate_all_off_this_cpu}): every vector leaves the dying CPU,
 * an event that reached it meanwhile waits in its IRR and is delivered once on the new CPU, the last online CPU
 * stays, an offline CPU takes no vector. Expected messages are the SDM's (address 0xFEE00000 | APIC id << 12,
 * data = vector); expected CPUs and vectors follow from the matrix rules (most free vectors, lowest on a tie;
 * the lowest free vector).
 */
class CpuHotplugTest {

    private FakeMachine machine;
    private Device nic;
    private MsiDomainImpl domain;
    private Ops ops;
    /** Handled per (irq, CPU). */
    private final AtomicLongArray handled = new AtomicLongArray(64 * 4);

    private void boot(StorageFlag... flags) throws InterruptedException {
        machine = new FakeMachine(4);
        nic = machine.add("00:04.0", 8);
        domain = X86Domains.domain(machine);
        ops = new Ops(flags);
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
    }

    @AfterEach
    void stop() {
        if (domain != null) {
            domain.deactivate();
        }
    }

    private static MsiMsg sdm(int apicId, int vector) {
        return new MsiMsg(0xFEE0_0000 | apicId << 12, 0, vector);
    }

    private int started(int irq) {
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet(i * 4 + cpu));
        return irq;
    }

    private long on(int irq, int cpu) {
        return handled.get(irq * 4 + cpu);
    }

    private long total(int irq) {
        return on(irq, 0) + on(irq, 1) + on(irq, 2) + on(irq, 3);
    }

    @Test
    void maskableVectorMovesAndAnEventInTheDyingCpusIrrIsDeliveredOnceOnTheNewCpu() throws Exception {
        boot(StorageFlag.CAN_MASK);
        int irq = started(domain.allocate("00:04.0", 1)[0]);
        domain.setAffinity(irq, 2);
        assertEquals(sdm(2, 0x20), nic.msgs[0]);
        // the device raises just before the move masks it: the message reaches CPU 2, which has interrupts off
        ops.beforeMask.add(() -> nic.raise(0));
        domain.cpuOffline(2);

        assertEquals(sdm(0, 0x20), nic.msgs[0], "on CPU 0 (all online CPUs free: the lowest), lowest vector");
        assertEquals(0, domain.irq(irq).orElseThrow().cpu());
        assertEquals(1, on(irq, 0), "the event in CPU 2's IRR re-sent to CPU 0");
        assertEquals(1, total(irq), "delivered once");
        assertTrue(machine.apics[2].irr.isEmpty(), "nothing left in the dead CPU's IRR");
        assertEquals(List.of(0, 1, 3), List.copyOf(domain.affinityMask(irq)), "affinity broken: the online CPUs");
        assertEquals(new CpuInfo(2, false, 0), domain.cpus().get(2));
        nic.raise(0);
        assertEquals(2, on(irq, 0));
        assertEquals(0, domain.spurious(0) + domain.spurious(2));
    }

    @Test
    void nonMaskableVectorMovesInTwoStepsAndEventsOnBothOldVectorsAreDeliveredOnce() throws Exception {
        boot(); // no CAN_MASK: the two-step move (x86 msi_set_affinity)
        int[] two = domain.allocate("00:04.0", 2); // CPU 0 and CPU 1, vector 0x20 each
        int irq = started(two[0]);
        domain.setAffinity(two[1], 2); // (CPU 2, 0x20)
        domain.setAffinity(irq, 2); // the lowest free vector on CPU 2: 0x21
        assertEquals(sdm(2, 0x21), nic.msgs[0]);
        domain.setAffinity(two[1], 3); // (CPU 3, 0x20): CPU 2 holds only the irq
        // before the interim write the device still sends (CPU 2, 0x21); before the final one (CPU 2, 0x20): twice
        // each, so each second one merges in the IRR with the first
        ops.beforeWrite.add(() -> {
            nic.raise(0);
            nic.raise(0);
        });
        ops.beforeWrite.add(() -> {
            assertEquals(sdm(2, 0x20), nic.msgs[0], "the interim message: old CPU, new vector");
            nic.raise(0);
            nic.raise(0);
        });
        domain.cpuOffline(2);

        assertEquals(sdm(0, 0x20), nic.msgs[0]);
        assertEquals(2, on(irq, 0), "both IRR bits of CPU 2 re-sent to CPU 0");
        assertEquals(2, total(irq), "each once");
        assertEquals(2, domain.merged(irq), "two merged in the IRR, counted for the irq (the borrowed vector's too)");
        assertTrue(machine.apics[2].irr.isEmpty());
        assertEquals(0, domain.spurious(0) + domain.spurious(2));
        assertEquals(new CpuInfo(2, false, 0), domain.cpus().get(2));
    }

    @Test
    void anIrqStaysWithinItsMaskWhenAnotherCpuOfItIsOnline() throws Exception {
        boot(StorageFlag.CAN_MASK);
        int irq = started(domain.allocate("00:04.0", 1)[0]);
        domain.setAffinity(irq, Set.of(1, 3));
        int first = domain.irq(irq).orElseThrow().cpu();
        assertEquals(1, first, "both free: the lowest");
        domain.cpuOffline(1);
        assertEquals(3, domain.irq(irq).orElseThrow().cpu());
        assertEquals(sdm(3, 0x20), nic.msgs[0]);
        assertEquals(List.of(1, 3), List.copyOf(domain.affinityMask(irq)), "the mask is kept, as Linux keeps it");
        nic.raise(0);
        assertEquals(1, on(irq, 3));
    }

    @Test
    void theLastOnlineCpuCannotGoOffline() throws Exception {
        boot(StorageFlag.CAN_MASK);
        int irq = started(domain.allocate("00:04.0", 1)[0]);
        domain.cpuOffline(1);
        domain.cpuOffline(2);
        domain.cpuOffline(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> domain.cpuOffline(0));
        assertEquals("CPU 0 is the last online CPU: it cannot go offline", e.getMessage());
        assertTrue(domain.cpus().get(0).online());
        nic.raise(0);
        assertEquals(1, on(irq, 0), "still delivered on CPU 0");
        assertThrows(IllegalArgumentException.class, () -> domain.cpuOffline(4));
    }

    @Test
    void anOfflineCpuTakesNoVectorAndAMaskOfOfflineCpusIsRefused() throws Exception {
        boot(StorageFlag.CAN_MASK);
        domain.cpuOffline(0);
        int[] irqs = domain.allocate("00:04.0", 6);
        for (int irq : irqs) {
            assertTrue(domain.irq(irq).orElseThrow().cpu() != 0, "irq " + irq + " on an online CPU");
        }
        assertEquals(List.of(new CpuInfo(0, false, 0), new CpuInfo(1, true, 2), new CpuInfo(2, true, 2),
                new CpuInfo(3, true, 2)), domain.cpus(), "spread over the online CPUs only");
        int irq = started(irqs[0]);
        int before = domain.irq(irq).orElseThrow().cpu();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> domain.setAffinity(irq, 0));
        assertEquals("irq " + irq + ": no online CPU in 0", e.getMessage());
        assertThrows(IllegalStateException.class, () -> domain.setAffinity(irq, Set.of(0)));
        assertEquals(before, domain.irq(irq).orElseThrow().cpu(), "nothing changed");
        domain.setAffinity(irq, Set.of(0, 3));
        assertEquals(3, domain.irq(irq).orElseThrow().cpu(), "the online CPU of the mask");

        domain.cpuOnline(0);
        domain.setAffinity(irq, 0);
        assertEquals(sdm(0, 0x20), nic.msgs[0], "CPU 0 takes vectors again");
        nic.raise(0);
        assertEquals(1, on(irq, 0));
    }

    // ---- managed interrupts (irq_create_affinity_masks, IRQD_MANAGED_SHUTDOWN) ----

    private List<Integer> mask(int irq) {
        return List.copyOf(domain.affinityMask(irq));
    }

    @Test
    void aSpreadGivesEachManagedVectorItsShareAndLeavesPreAndPostVectorsUnmanaged() throws Exception {
        boot(StorageFlag.CAN_MASK);
        int[] irqs = domain.allocateAffinity("00:04.0", 4, "", 1, 1);
        // group_cpus_evenly on one node: 4 CPUs in 2 groups of 2; pre and post vectors: irq_default_affinity
        assertEquals(List.of(0, 1, 2, 3), mask(irqs[0]));
        assertEquals(List.of(0, 1), mask(irqs[1]));
        assertEquals(List.of(2, 3), mask(irqs[2]));
        assertEquals(List.of(0, 1, 2, 3), mask(irqs[3]));
        assertTrue(Set.of(0, 1).contains(domain.irq(irqs[1]).orElseThrow().cpu()));
        assertTrue(Set.of(2, 3).contains(domain.irq(irqs[2]).orElseThrow().cpu()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> domain.setAffinity(irqs[1], 3));
        assertEquals("irq " + irqs[1] + " is managed: its affinity 0-1 is fixed by its spread", e.getMessage());
        domain.setAffinity(irqs[0], 3); // the pre vector is not managed
        domain.setAffinity(irqs[3], 2); // nor the post vector
        assertEquals(3, domain.irq(irqs[0]).orElseThrow().cpu());
        domain.free("00:04.0");
        int[] three = domain.allocateAffinity("00:04.0", 3, "", 0, 0);
        // 4 CPUs in 3 groups: the first takes the remainder
        assertEquals(List.of(0, 1), mask(three[0]));
        assertEquals(List.of(2), mask(three[1]));
        assertEquals(List.of(3), mask(three[2]));
        assertThrows(IllegalArgumentException.class, () -> domain.allocateAffinity("00:04.0", 6, "", 1, 0));
    }

    @Test
    void aManagedIrqIsShutDownWithItsLastCpuAndStartedWithTheFirstBackEachEventDeliveredOnce() throws Exception {
        boot(StorageFlag.CAN_MASK);
        int irq = started(domain.allocateAffinity("00:04.0", 2, "", 0, 0)[1]); // mask 2-3
        assertEquals(2, domain.irq(irq).orElseThrow().cpu());
        domain.cpuOffline(2);
        assertEquals(3, domain.irq(irq).orElseThrow().cpu(), "moved within its mask");
        assertEquals(List.of(2, 3), mask(irq), "a managed mask never breaks");
        // the device raises just before the shutdown masks it: the message waits in CPU 3's IRR
        ops.beforeMask.add(() -> nic.raise(1));
        domain.cpuOffline(3);
        assertTrue(nic.masked[1], "shut down: masked at the source");
        assertEquals(List.of(new CpuInfo(2, false, 0), new CpuInfo(3, false, 0)), domain.cpus().subList(2, 4),
                "its vector released");
        assertEquals(0, total(irq), "held while shut down");
        assertTrue(machine.apics[3].irr.isEmpty(), "taken from the IRR before the vector went");
        domain.unmask(irq);
        assertEquals(0, total(irq), "an unmask does not start it");
        assertTrue(nic.masked[1]);

        domain.cpuOnline(3);
        assertEquals(sdm(3, 0x20), nic.msgs[1], "started on the CPU of its mask that came back");
        assertEquals(1, on(irq, 3), "the held event delivered once at startup");
        assertEquals(1, total(irq));

        domain.cpuOffline(3);
        nic.raise(1);
        nic.raise(1); // latched at the source: two events, one pending bit
        assertEquals(1, total(irq));
        domain.cpuOnline(2);
        assertEquals(sdm(2, 0x20), nic.msgs[1]);
        assertEquals(1, on(irq, 2), "the latched event delivered once");
        nic.raise(1);
        assertEquals(2, on(irq, 2));
        assertEquals(0, domain.spurious(0) + domain.spurious(1) + domain.spurious(2) + domain.spurious(3));
    }

    @Test
    void aManagedIrqWhoseCpusAreAllOfflineAtAllocationStartsWhenOneComesOnline() throws Exception {
        boot(StorageFlag.CAN_MASK);
        domain.cpuOffline(2);
        domain.cpuOffline(3);
        int[] irqs = domain.allocateAffinity("00:04.0", 2, "", 0, 0);
        int irq = started(irqs[1]); // requested while shut down: stays down
        assertEquals(0, domain.cpus().get(0).vectors() + domain.cpus().get(1).vectors() - 1, "only irq 0 has a vector");
        nic.raise(1);
        assertEquals(0, total(irq));
        domain.cpuOnline(3);
        assertEquals(3, domain.irq(irq).orElseThrow().cpu());
        assertEquals(1, on(irq, 3), "the event latched before the start, once");
        nic.raise(1);
        assertEquals(2, on(irq, 3));
    }

    @Test
    void storageThatCannotMaskTakesNoSpread() throws Exception {
        boot();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> domain.allocateAffinity("00:04.0", 2, "", 0, 0));
        assertEquals("cannot spread the vectors of 00:04.0: managed interrupts need storage that can mask", e.getMessage());
        assertEquals(1, domain.allocate("00:04.0", 1).length, "nothing left allocated");
    }
}
