package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/**
 * Affinity masks (Linux's {@code smp_affinity_list}): the effective CPU is the mask's CPU with the most free
 * vectors, as x86 {@code irq_matrix_alloc} picks it, unless the irq's CPU is already in the mask
 * ({@code assign_vector_locked}). Expected CPUs come from the vector counts each test sets up.
 */
class AffinityMaskTest {

    private FakeMachine machine;
    private Device nic;
    private MsiDomainImpl domain;
    private Ops ops;
    private final AtomicLongArray handled = new AtomicLongArray(64 * 4);

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new FakeMachine(4);
        nic = machine.add("00:04.0", 8);
        domain = X86Domains.domain(machine);
        ops = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    /** The SDM's fixed, edge, physical-destination message (vol. 3, 11.11), written out here. */
    private static MsiMsg sdm(int apicId, int vector) {
        return new MsiMsg(0xFEE0_0000 | apicId << 12, 0, vector);
    }

    private void countOn(int irq) {
        domain.setHandler(irq, "h" + irq, (i, cpu) -> handled.incrementAndGet(i * 4 + cpu));
    }

    private int cpuOf(int irq) {
        return domain.irq(irq).orElseThrow().cpu();
    }

    /** Starts all 8 vectors and pins them: CPU 0 holds 4 (irqs 4-7), CPU 1 none, CPU 2 three (0-2), CPU 3 one (3). */
    private int[] pinned() {
        int[] irqs = domain.allocate("00:04.0", 8);
        int[] cpus = { 2, 2, 2, 3, 0, 0, 0, 0 };
        for (int i = 0; i < 8; i++) {
            countOn(irqs[i]);
            domain.setAffinity(irqs[i], cpus[i]);
        }
        return irqs;
    }

    @Test
    void everyCpuUntilSetAndOneCpuForTheSingleCpuForm() {
        int irq = domain.allocate("00:04.0", 1)[0];
        countOn(irq);
        assertEquals(List.of(0, 1, 2, 3), List.copyOf(domain.affinityMask(irq)), "Linux's default affinity: all CPUs");
        domain.setAffinity(irq, 2);
        assertEquals(List.of(2), List.copyOf(domain.affinityMask(irq)));
        assertEquals(2, cpuOf(irq));
    }

    @Test
    void theMasksCpuWithTheMostFreeVectorsLowestOnATie() {
        int[] irqs = pinned();
        // used: CPU 2 three, CPU 3 one -> CPU 3
        domain.setAffinity(irqs[4], Set.of(2, 3));
        assertEquals(3, cpuOf(irqs[4]));
        IrqInfo moved = domain.irq(irqs[4]).orElseThrow();
        assertEquals(sdm(machine.apicId(3), moved.vector()), nic.msgs[4], "the message targets the effective CPU");
        assertEquals(List.of(2, 3), List.copyOf(domain.affinityMask(irqs[4])));
        // used: CPU 2 three, CPU 3 two -> CPU 3
        domain.setAffinity(irqs[5], Set.of(3, 2));
        assertEquals(3, cpuOf(irqs[5]));
        // used: CPU 2 three, CPU 3 three: a tie -> the lower, CPU 2
        domain.setAffinity(irqs[6], Set.of(2, 3));
        assertEquals(2, cpuOf(irqs[6]));
    }

    @Test
    void anIrqWhoseCpuIsInTheMaskStaysThere() {
        int[] irqs = pinned();
        int vector = domain.irq(irqs[0]).orElseThrow().vector();
        domain.setAffinity(irqs[0], Set.of(1, 2)); // CPU 1 is emptier, but CPU 2 is in the mask
        assertEquals(2, cpuOf(irqs[0]));
        assertEquals(vector, domain.irq(irqs[0]).orElseThrow().vector(), "not moved at all");
        assertEquals(List.of(1, 2), List.copyOf(domain.affinityMask(irqs[0])));
    }

    @Test
    void badMasksAreRefusedAndChangeNothing() {
        int[] irqs = pinned();
        IrqInfo before = domain.irq(irqs[3]).orElseThrow();
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> domain.setAffinity(irqs[3], Set.of()));
        assertEquals("affinity mask of irq " + irqs[3] + " has no CPU", empty.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> domain.setAffinity(irqs[3], Set.of(1, 4)));
        assertEquals("CPU 4 out of range 0-3", range.getMessage());
        assertEquals(before, domain.irq(irqs[3]).orElseThrow());
        assertEquals(List.of(3), List.copyOf(domain.affinityMask(irqs[3])));
    }

    @Test
    void aMaskWithoutAFreeVectorIsRefusedAndChangesNothing() throws InterruptedException {
        FakeMachine three = new FakeMachine(3); // 3 x 208 device vectors
        three.add("00:0a.0", 624);
        MsiDomainImpl full = X86Domains.domain(three);
        try {
            full.bindStorageOps(new Ops(), FakeHardware.props(3, 0)); // cannot mask: vectors at allocation
            assertTrue(full.awaitSettled(5000));
            full.allocate("00:0a.0", 624); // every vector of every CPU
            int irq = full.irqs().stream().filter(i -> i.cpu() == 0).findFirst().orElseThrow().irq();
            IrqInfo before = full.irq(irq).orElseThrow();
            IllegalStateException list = assertThrows(IllegalStateException.class,
                    () -> full.setAffinity(irq, Set.of(1, 2)));
            assertEquals("no free vector on any CPU of 1-2", list.getMessage());
            IllegalStateException one = assertThrows(IllegalStateException.class, () -> full.setAffinity(irq, Set.of(2)));
            assertEquals("no free vector on CPU 2", one.getMessage());
            assertEquals(before, full.irq(irq).orElseThrow());
            assertEquals(List.of(0, 1, 2), List.copyOf(full.affinityMask(irq)), "the mask in force stays");
        } finally {
            full.deactivate();
        }
    }

    @Test
    void anUnboundDeviceKeepsTheMaskAndItIsAppliedAtRestore() throws InterruptedException {
        int[] irqs = domain.allocate("00:04.0", 2);
        countOn(irqs[0]);
        countOn(irqs[1]);
        domain.setAffinity(irqs[0], 0);
        domain.setAffinity(irqs[1], 1);
        domain.unbindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));

        domain.setAffinity(irqs[0], Set.of(2, 3));
        assertEquals(0, cpuOf(irqs[0]), "no provider to write the message: deferred");
        assertEquals(List.of(2, 3), List.copyOf(domain.affinityMask(irqs[0])), "shown while pending, as Linux does");
        assertTrue(domain.devices().get(0).reason().endsWith("waiting: 1 affinity change."), domain.devices().get(0).reason());
        domain.setAffinity(irqs[1], Set.of(0, 1)); // its CPU is in the mask: nothing waits
        assertTrue(domain.devices().get(0).reason().endsWith("waiting: 1 affinity change."));

        domain.bindStorageOps(new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC), FakeHardware.props(2, 0));
        assertTrue(domain.awaitSettled(5000));
        // at restore CPUs 2 and 3 hold no vector: a tie, the lower
        assertEquals(2, cpuOf(irqs[0]));
        assertEquals(sdm(machine.apicId(2), domain.irq(irqs[0]).orElseThrow().vector()), nic.msgs[0]);
        assertEquals(List.of(2, 3), List.copyOf(domain.affinityMask(irqs[0])));
        assertEquals(1, cpuOf(irqs[1]));
        nic.raise(0);
        assertEquals(1, handled.get(irqs[0] * 4 + 2), "delivered on the CPU of the mask");
    }

    @Test
    void aReservedIrqKeepsTheMaskAndStartsWithinIt() throws InterruptedException {
        machine.plug("00:09.0", 4, List.of("pci")); // reservation mode is PCI/MSI's only
        domain.bindStorageOps(new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC).ofType("pci"),
                FakeHardware.props(9, 0, "pci"));
        assertTrue(domain.awaitSettled(5000));
        int[] irqs = domain.allocate("00:09.0", 4); // reservation mode: no vector until the handler
        domain.setAffinity(irqs[1], 1);
        countOn(irqs[1]); // CPU 1 now holds one vector, CPU 3 none
        domain.setAffinity(irqs[0], Set.of(1, 3));
        assertEquals(List.of(1, 3), List.copyOf(domain.affinityMask(irqs[0])));
        countOn(irqs[0]);
        assertEquals(3, cpuOf(irqs[0]), "started on the mask's CPU with the most free vectors");
        assertEquals(List.of(1, 3), List.copyOf(domain.affinityMask(irqs[0])));
    }

    @Test
    void aReservedIrqWhoseMaskIsFullStartsElsewhereAsLinuxFallsBackToEveryCpu() throws InterruptedException {
        FakeMachine two = new FakeMachine(2); // 2 x 208 device vectors
        two.add("00:0a.0", 209, List.of("pci")); // reservation mode is PCI/MSI's only
        MsiDomainImpl d2 = X86Domains.domain(two);
        try {
            d2.bindStorageOps(new Ops(StorageFlag.CAN_MASK).ofType("pci"), FakeHardware.props(3, 0, "pci"));
            assertTrue(d2.awaitSettled(5000));
            int[] irqs = d2.allocate("00:0a.0", 209);
            for (int irq : irqs) {
                d2.setAffinity(irq, Set.of(1));
            }
            for (int i = 0; i < 208; i++) {
                d2.setHandler(irqs[i], "h", (n, cpu) -> { });
                assertEquals(1, d2.irq(irqs[i]).orElseThrow().cpu(), "within the mask while CPU 1 has room");
            }
            // CPU 1's 208 vectors are all taken: x86 assign_irq_vector_any_locked tries the mask, then every CPU
            d2.setHandler(irqs[208], "h", (n, cpu) -> { });
            assertEquals(0, d2.irq(irqs[208]).orElseThrow().cpu());
            assertEquals(List.of(1), List.copyOf(d2.affinityMask(irqs[208])), "the mask is kept");
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void aMaskedIrqMovesAndItsHeldMessageArrivesOnTheNewCpu() {
        int[] irqs = pinned();
        domain.mask(irqs[3]);
        nic.raise(3); // latched at the device
        domain.setAffinity(irqs[3], Set.of(0, 1)); // CPU 0 holds four, CPU 1 none -> CPU 1
        assertEquals(1, cpuOf(irqs[3]));
        domain.unmask(irqs[3]);
        assertEquals(1, handled.get(irqs[3] * 4 + 1), "the latched message, delivered once on CPU 1");
        assertEquals(1, domain.irq(irqs[3]).orElseThrow().total());
    }

    @Test
    void cpulistAsLinuxPrintsIt() {
        BitSet mask = new BitSet();
        mask.set(0, 4);
        mask.set(6);
        assertEquals("0-3,6", CpuMask.list(mask));
        mask.clear();
        mask.set(5);
        assertEquals("5", CpuMask.list(mask));
        mask.set(7);
        mask.set(8);
        assertEquals("5,7-8", CpuMask.list(mask));
    }
}
