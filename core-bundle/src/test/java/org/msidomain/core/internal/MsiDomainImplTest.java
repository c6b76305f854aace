package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;

class MsiDomainImplTest {

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

    /**
     * The message the Intel SDM (vol. 3, 11.11 "Message Signalled Interrupts") defines for a fixed, edge,
     * physical-destination interrupt: address 0xFEE in bits 31:20, the destination APIC id in 19:12, RH = DM
     * = 0; data: the vector in 7:0, delivery mode 000 in 10:8, trigger mode 0 in bit 15. Written out here,
     * not taken from the code under test.
     */
    private static MsiMsg sdm(int apicId, int vector) {
        return new MsiMsg(0xFEE0_0000 | apicId << 12, 0, vector);
    }

    private void countOn(int irq) {
        domain.setHandler(irq, "h" + irq, (i, cpu) -> handled.incrementAndGet(i * 4 + cpu));
    }

    @Test
    void scenario14ReservationModeUntilTheHandlerThenARealVectorAndZeroOnDeactivation() throws InterruptedException {
        // reservation mode is PCI/MSI's only (msi_check_reservation_mode): a device of storage type pci
        Device pciNic = machine.plug("00:09.0", 4, List.of("pci"));
        Ops pciOps = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC).ofType("pci");
        domain.bindStorageOps(pciOps, FakeHardware.props(9, 0, "pci"));
        assertTrue(domain.awaitSettled(5000));
        int[] irqs = domain.allocate("00:09.0", 4);
        assertEquals(List.of(24, 25, 26, 27), List.of(irqs[0], irqs[1], irqs[2], irqs[3]));
        for (int i = 0; i < 4; i++) {
            // Linux's reservation mode (vector_assign_managed_shutdown): MANAGED_IRQ_SHUTDOWN_VECTOR, which is
            // SPURIOUS_APIC_VECTOR 0xFF, on the first online CPU
            assertEquals(sdm(machine.apicId(0), 0xFF), pciNic.msgs[i], "activated with the reservation vector");
            assertTrue(pciNic.masked[i], "and masked at the source until requested");
        }
        assertEquals(List.of("create 00:09.0", "lock"), pciOps.log.subList(0, 2));
        assertEquals("enable 00:09.0", pciOps.log.get(pciOps.log.size() - 1), "enabled after the table is written");
        assertEquals("unlock", pciOps.log.get(pciOps.log.size() - 2));
        pciNic.raise(2);
        assertEquals(0, domain.spurious(0), "a reserved vector latches at the device, it does not fire");

        domain.setAffinity(irqs[3], 1); // remembered until startup
        for (int i = 0; i < 4; i++) {
            countOn(irqs[i]);
        }
        for (int i = 0; i < 4; i++) {
            IrqInfo info = domain.irq(irqs[i]).orElseThrow();
            assertTrue(info.vector() >= 0x20 && info.vector() <= 0xEF, "a real vector at request_irq");
            assertEquals(sdm(machine.apicId(info.cpu()), info.vector()), pciNic.msgs[i], "a freshly composed message");
            assertFalse(pciNic.masked[i], "started: unmasked");
        }
        assertEquals(1, domain.irq(irqs[3]).orElseThrow().cpu(), "the affinity asked for before the request");
        assertEquals(1, handled.get(irqs[2] * 4 + domain.irq(irqs[2]).orElseThrow().cpu()),
                "the message latched while reserved is delivered once, with the real vector");
        assertEquals(List.of(0, 1, 2), List.of(domain.irq(irqs[0]).orElseThrow().cpu(), domain.irq(irqs[1]).orElseThrow().cpu(),
                domain.irq(irqs[2]).orElseThrow().cpu()), "spread over the emptiest CPUs");
        domain.free("00:09.0");
        assertEquals(MsiMsg.ZERO, pciNic.msgs[1], "deactivation writes an all-zero message");
    }

    @Test
    void scenario14StorageThatCannotMaskGetsARealVectorAtOnce() throws InterruptedException {
        Ops plain = new Ops();
        Device ahci = machine.add("00:1f.2", 1);
        MsiDomainImpl d2 = X86Domains.domain(machine);
        try {
            d2.bindStorageOps(plain, FakeHardware.props(8, 0));
            assertTrue(d2.awaitSettled(5000));
            IrqInfo info = d2.irq(d2.allocate("00:1f.2", 1)[0]).orElseThrow();
            assertNotEquals(0xFF, info.vector(), "not the reservation vector");
            assertEquals(sdm(machine.apicId(info.cpu()), info.vector()), ahci.msgs[0]);
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void multiMessageMsiWithoutRemappingIsRefusedBeyondOneVector() throws InterruptedException {
        // Linux: the x86 vector domain's MSI parent lacks MSI_FLAG_MULTI_PCI_MSI (only the remapping
        // parents add it), so msi_capability_init answers 1 and an exact request for more gets -ENOSPC
        Ops msi = new Ops(StorageFlag.MULTI_MESSAGE, StorageFlag.CAN_MASK);
        Device ahci = machine.add("00:1f.2", 16);
        MsiDomainImpl d2 = X86Domains.domain(machine);
        try {
            d2.bindStorageOps(msi, FakeHardware.props(8, 0));
            assertTrue(d2.awaitSettled(5000));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> d2.allocate("00:1f.2", 4));
            assertEquals("cannot allocate 4 MSI vectors for 00:1f.2: multi-message MSI needs interrupt remapping "
                    + "(x86 without IR supports one MSI vector per function); ask for 1 or use MSI-X", refused.getMessage());
            assertTrue(d2.irqs().isEmpty(), "nothing allocated");
            assertEquals(List.of("create 00:1f.2", "release 00:1f.2"), msi.log,
                    "the storage was created and released again, nothing written, nothing enabled");
            assertEquals(MsiMsg.ZERO, ahci.msgs[0]);

            int irq = d2.allocate("00:1f.2", 1)[0];
            d2.setHandler(irq, "ahci", (i, cpu) -> handled.incrementAndGet(cpu));
            IrqInfo info = d2.irq(irq).orElseThrow();
            assertEquals(sdm(machine.apicId(info.cpu()), info.vector()), ahci.msgs[0]);
            ahci.raise(0);
            assertEquals(1, handled.get(info.cpu()), "one vector works");
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void aFiredInterruptReachesItsHandlerOnItsCpu() {
        int irq = domain.allocate("00:04.0", 2)[1];
        countOn(irq);
        domain.setAffinity(irq, 3);
        for (int i = 0; i < 5; i++) {
            nic.raise(1);
        }
        assertEquals(5, handled.get(irq * 4 + 3));
        IrqInfo info = domain.irq(irq).orElseThrow();
        assertEquals(List.of(0L, 0L, 0L, 5L), info.counts());
        assertEquals(0, machine.lost);
    }

    @Test
    void affinityRewritesTheMessageAndKeepsEarlierCounts() {
        int irq = domain.allocate("00:04.0", 1)[0];
        countOn(irq);
        nic.raise(0);
        int oldVector = domain.irq(irq).orElseThrow().vector();
        domain.setAffinity(irq, 2);
        IrqInfo moved = domain.irq(irq).orElseThrow();
        assertEquals(2, moved.cpu());
        assertEquals(sdm(machine.apicId(2), moved.vector()), nic.msgs[0]);
        nic.raise(0);
        assertEquals(List.of(1L, 0L, 1L, 0L), domain.irq(irq).orElseThrow().counts());
        machine.sink.accept(0, oldVector);
        assertEquals(1, domain.spurious(0), "the old vector was released");
    }

    @Test
    void maskableStorageLatchesAndDeliversOnceOnUnmask() {
        int irq = domain.allocate("00:04.0", 1)[0];
        countOn(irq);
        domain.mask(irq);
        nic.raise(0);
        nic.raise(0);
        assertEquals(0, domain.irq(irq).orElseThrow().total());
        domain.unmask(irq);
        assertEquals(1, domain.irq(irq).orElseThrow().total(), "two raises coalesce into one delivery");
    }

    @Test
    void storageThatCannotMaskIsMaskedAtTheDestination() throws InterruptedException {
        Ops plain = new Ops();
        Device timer = machine.add("00:07.0", 1);
        MsiDomainImpl d2 = X86Domains.domain(machine);
        try {
            d2.bindStorageOps(plain, FakeHardware.props(7, 0));
            assertTrue(d2.awaitSettled(5000));
            int irq = d2.allocate("00:07.0", 1)[0];
            d2.setHandler(irq, "timer", (i, cpu) -> { }); // started: unmask resends (before, startup would)
            d2.mask(irq);
            assertFalse(plain.log.stream().anyMatch(l -> l.startsWith("mask")), "no source mask");
            timer.raise(0);
            IrqInfo held = d2.irq(irq).orElseThrow();
            assertEquals(0, held.total());
            assertTrue(held.pending(), "recorded as pending in the core");
            d2.unmask(irq);
            assertEquals(1, d2.irq(irq).orElseThrow().total(), "resent once on unmask");
            assertFalse(d2.irq(irq).orElseThrow().pending());
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void deliveryGoesOnWhileUnboundAndRebindRestores() throws InterruptedException {
        int irq = domain.allocate("00:04.0", 2)[0];
        countOn(irq);
        domain.unbindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
        assertEquals(BindingState.UNBOUND, domain.devices().get(0).state());
        nic.raise(0);
        assertEquals(1, domain.irq(irq).orElseThrow().total(), "the programmed message still delivers");

        domain.setAffinity(irq, 3); // deferred: no storage to write
        assertEquals(0, domain.irq(irq).orElseThrow().cpu());
        domain.mask(irq); // falls back to the destination
        nic.raise(0);
        assertEquals(1, domain.irq(irq).orElseThrow().total());
        assertEquals("its provider fake-1 0.0.0 left (stopped, updated or uninstalled) and no other of storage type "
                + "'fake' is bound; its 2 vectors keep delivering with the messages in its registers; waiting: "
                + "1 affinity change, 1 mask held at the CPU.", domain.devices().get(0).reason(), "why it is unbound");

        Ops next = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        domain.bindStorageOps(next, FakeHardware.props(2, 0));
        assertTrue(domain.awaitSettled(5000));
        assertEquals(BindingState.BOUND, domain.devices().get(0).state());
        IrqInfo restored = domain.irq(irq).orElseThrow();
        assertEquals(3, restored.cpu(), "deferred affinity applied at restore");
        assertEquals(sdm(machine.apicId(3), restored.vector()), nic.msgs[0]);
        assertTrue(next.log.stream().anyMatch(l -> l.startsWith("mask 00:04.0/0")), "mask state restored at the source: " + next.log);
        domain.unmask(irq);
        assertEquals(2, domain.irq(irq).orElseThrow().total(), "the held message is delivered once");
    }

    @Test
    void unboundSinceTellsSinceWhenADeviceIsNotServed() throws InterruptedException {
        assertTrue(domain.unboundSince("00:04.0").isEmpty(), "bound: not unbound");
        Instant before = Instant.now();
        domain.unbindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
        Instant since = domain.unboundSince("00:04.0").orElseThrow();
        assertFalse(since.isBefore(before), since + " is the moment of the unbind, not before " + before);
        assertFalse(since.isAfter(Instant.now()));

        Ops faulty = new Ops(StorageFlag.CAN_MASK);
        faulty.failWrite = new NullPointerException("provider bug");
        domain.bindStorageOps(faulty, FakeHardware.props(2, 0));
        assertTrue(domain.awaitSettled(5000));
        assertTrue(domain.unboundSince("00:04.0").isEmpty(), "bound again");
        Instant beforeFailure = Instant.now();
        assertThrows(IllegalStateException.class, () -> domain.allocate("00:04.0", 1));
        assertEquals(BindingState.FAILED, domain.devices().get(0).state());
        Instant failedAt = domain.unboundSince("00:04.0").orElseThrow();
        assertFalse(failedAt.isBefore(beforeFailure), "failed counts as not served");
        domain.unbindStorageOps(faulty, FakeHardware.props(2, 0));
        assertTrue(domain.awaitSettled(5000));
        assertEquals(BindingState.UNBOUND, domain.devices().get(0).state());
        assertEquals(failedAt, domain.unboundSince("00:04.0").orElseThrow(), "not served since the failure");
        assertThrows(IllegalArgumentException.class, () -> domain.unboundSince("00:09.0"));
    }

    @Test
    void aHigherRankedProviderTakesOver() throws InterruptedException {
        domain.allocate("00:04.0", 1);
        Ops better = new Ops(StorageFlag.CAN_MASK);
        domain.bindStorageOps(better, FakeHardware.props(5, 10));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-5", domain.devices().get(0).provider());
        assertTrue(better.log.stream().anyMatch(l -> l.startsWith("write 00:04.0/0")), "restored through it");
        domain.unbindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-5", domain.devices().get(0).provider(), "unbinding the old one changes nothing");
    }

    @Test
    void scenario21MaskDeviceThenParentUnmaskParentThenDevice() throws InterruptedException {
        Ops both = new Ops(StorageFlag.CAN_MASK, StorageFlag.MASK_PARENT);
        Device gic = machine.add("00:08.0", 2);
        MsiDomainImpl d2 = X86Domains.domain(machine);
        try {
            d2.bindStorageOps(both, FakeHardware.props(9, 0));
            assertTrue(d2.awaitSettled(5000));
            int irq = d2.allocate("00:08.0", 1)[0];
            d2.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet(0));
            both.log.clear();
            d2.mask(irq);
            assertEquals(List.of("lock", "mask 00:08.0/0 parent=false", "unlock"), both.log, "device first, parent after");
            gic.raise(0);
            assertTrue(gic.pending[0], "latched at the device");
            both.log.clear();
            d2.unmask(irq);
            assertEquals(List.of("lock", "unmask 00:08.0/0 parent=false", "unlock"), both.log, "parent unmasked before the device");
            assertEquals(1, handled.get(0), "the latched message handled once");
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void vectorExhaustionFailsCleanlyAndReleasesPartialAllocations() throws InterruptedException {
        FakeMachine one = new FakeMachine(1); // 208 device vectors
        one.add("00:0a.0", 300);
        one.add("00:0b.0", 20);
        Device maskable = one.add("00:0c.0", 4, List.of("pci")); // reservation mode is PCI/MSI's only
        MsiDomainImpl d1 = X86Domains.domain(one);
        try {
            d1.bindStorageOps(new Ops(), FakeHardware.props(3, 0));
            assertTrue(d1.awaitSettled(5000));
            IllegalStateException beyond = assertThrows(IllegalStateException.class, () -> d1.allocate("00:0a.0", 300));
            assertEquals("cannot allocate 300 vectors for 00:0a.0: only 208 free", beyond.getMessage());
            assertTrue(d1.irqs().isEmpty());
            assertEquals(200, d1.allocate("00:0a.0", 200).length);
            assertThrows(IllegalStateException.class, () -> d1.allocate("00:0b.0", 20));
            assertEquals(200, d1.irqs().size(), "nothing of the refused allocation remains");
            assertEquals(8, d1.allocate("00:0b.0", 8).length, "the last 8 vectors are still there");
            assertThrows(IllegalStateException.class, () -> d1.allocate("00:0b.0", 1));

            d1.free("00:0b.0");
            Ops masking = new Ops(StorageFlag.CAN_MASK);
            d1.bindStorageOps(masking, Map.of("service.id", 4L, "service.ranking", 5, MsiStorageOps.STORAGE_TYPE, "fake"));
            assertTrue(d1.awaitSettled(5000));
            d1.bindStorageOps(new Ops(StorageFlag.CAN_MASK).ofType("pci"), FakeHardware.props(5, 0, "pci"));
            assertTrue(d1.awaitSettled(5000));
            d1.free("00:0a.0");
            int[] reserved = d1.allocate("00:0c.0", 4); // reservation mode: no vector needed yet
            d1.allocate("00:0a.0", 208);
            for (int irq : d1.irqs().stream().filter(i -> i.device().equals("00:0a.0")).mapToInt(i -> i.irq()).toArray()) {
                d1.setHandler(irq, "h", (i, cpu) -> { });
            }
            IllegalStateException full = assertThrows(IllegalStateException.class,
                    () -> d1.setHandler(reserved[0], "late", (i, cpu) -> { }));
            assertEquals("no free vector on any CPU", full.getMessage());
            assertEquals("", d1.irq(reserved[0]).orElseThrow().action(), "refused: no handler attached");
            assertTrue(maskable.masked[0], "still reserved and masked at the device");
        } finally {
            d1.deactivate();
        }
    }

    @Test
    void aFaultyProviderIsContainedAndAHealthyOneRecoversTheDevice() throws InterruptedException {
        Device other = machine.add("00:05.0", 2);
        MsiDomainImpl d2 = X86Domains.domain(machine);
        try {
            Ops faulty = new Ops(StorageFlag.CAN_MASK);
            d2.bindStorageOps(faulty, FakeHardware.props(11, 0));
            assertTrue(d2.awaitSettled(5000));
            int bad = d2.allocate("00:04.0", 1)[0];
            int good = d2.allocate("00:05.0", 1)[0];
            AtomicLongArray seen = new AtomicLongArray(2);
            d2.setHandler(bad, "bad", (i, cpu) -> seen.incrementAndGet(0));
            d2.setHandler(good, "good", (i, cpu) -> seen.incrementAndGet(1));
            faulty.faultyMaskOn = "00:04.0"; // from now on its mask throws on this device

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d2.mask(bad));
            assertEquals("provider fake-11 failed on 00:04.0: NullPointerException: provider bug", e.getMessage());
            assertEquals(BindingState.FAILED, d2.devices().stream().filter(d -> d.id().equals("00:04.0")).findFirst().get().state());
            assertEquals("failed on 1 device", d2.providers().get(0).state());
            nic.raise(0);
            assertEquals(1, seen.get(0), "the failed device keeps delivering with its programmed message");
            d2.mask(good);
            other.raise(0);
            d2.unmask(good);
            assertEquals(1, seen.get(1), "the other device is unaffected");

            Ops healthy = new Ops(StorageFlag.CAN_MASK);
            d2.bindStorageOps(healthy, FakeHardware.props(12, 10));
            assertTrue(d2.awaitSettled(5000));
            assertEquals(BindingState.BOUND, d2.devices().stream().filter(d -> d.id().equals("00:04.0")).findFirst().get().state());
            assertEquals("fake-12", d2.devices().get(0).provider(), "recovered by the healthy provider");
            d2.mask(bad);
            nic.raise(0);
            d2.unmask(bad);
            assertEquals(2, seen.get(0), "after recovery: latched at the device while masked, delivered once on unmask");
            assertTrue(healthy.log.contains("mask 00:04.0/0 parent=false"), "the healthy provider masks at the source");
        } finally {
            d2.deactivate();
        }
    }

    @Test
    void badRequestsChangeNothing() {
        assertThrows(IllegalArgumentException.class, () -> domain.allocate("00:09.0", 1));
        assertThrows(IllegalArgumentException.class, () -> domain.allocate("00:04.0", 9));
        assertThrows(IllegalArgumentException.class, () -> domain.allocate("00:04.0", 0));
        ops.failWrite = new IllegalStateException("bus error");
        assertThrows(IllegalStateException.class, () -> domain.allocate("00:04.0", 2));
        assertTrue(domain.irqs().isEmpty(), "a failed allocation releases what it took");
        ops.failWrite = null;
        int irq = domain.allocate("00:04.0", 2)[0];
        assertThrows(IllegalArgumentException.class, () -> domain.setAffinity(irq, 4));
        assertThrows(IllegalArgumentException.class, () -> domain.allocateAt("00:04.0", 8));
        assertThrows(IllegalArgumentException.class, () -> domain.allocateAt("00:04.0", 1));
        domain.free("00:04.0");
        assertThrows(IllegalStateException.class, () -> domain.free("00:04.0"), "freeing twice");
        assertEquals(MsiMsg.ZERO, nic.msgs[0], "deactivation writes a zero message");
    }

    @Test
    void dynamicAllocationAddsWithoutDisturbing() {
        int[] live = domain.allocate("00:04.0", 2);
        countOn(live[0]);
        List<String> before = List.copyOf(ops.log);
        int added = domain.allocateAt("00:04.0", 5);
        assertEquals(5, domain.irq(added).orElseThrow().index());
        assertFalse(ops.log.subList(before.size(), ops.log.size()).stream().anyMatch(l -> l.contains("/0") || l.contains("/1")),
                "live vectors untouched");
        assertEquals(2, domain.irq(domain.allocateAt("00:04.0", -1)).orElseThrow().index(), "first free index");
        domain.freeIrq(added);
        nic.raise(0);
        assertEquals(1, domain.irq(live[0]).orElseThrow().total());
    }

    private String providerOf(String device) {
        return domain.devices().stream().filter(d -> d.id().equals(device)).findFirst().orElseThrow().provider();
    }

    @Test
    void aRankingChangeChoosesTheProviderAgainWhileTheVectorsDeliver() throws InterruptedException {
        int[] irqs = domain.allocate("00:04.0", 2);
        countOn(irqs[0]);
        countOn(irqs[1]);
        Ops other = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        domain.bindStorageOps(other, FakeHardware.props(2, -1));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-1", providerOf("00:04.0"), "lower ranked: not chosen");

        domain.updatedStorageOps(other, FakeHardware.props(2, 10));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-2", providerOf("00:04.0"), "now the best: the device moves to it");
        assertEquals(1, other.log.stream().filter(l -> l.equals("create 00:04.0")).count(), "its storage adopted");
        nic.raise(1);
        int cpu = domain.irq(irqs[1]).orElseThrow().cpu();
        assertEquals(1, handled.get(irqs[1] * 4 + cpu), "delivered after the move");

        domain.updatedStorageOps(other, FakeHardware.props(2, -5));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-1", providerOf("00:04.0"), "lowered again: back to the first");

        long creates = ops.log.stream().filter(l -> l.startsWith("create")).count();
        domain.updatedStorageOps(ops, FakeHardware.props(1, 3));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-1", providerOf("00:04.0"));
        assertEquals(creates, ops.log.stream().filter(l -> l.startsWith("create")).count(),
                "still the best: its storage stays, nothing is created again");

        domain.unbindStorageOps(ops, FakeHardware.props(1, 3));
        assertTrue(domain.awaitSettled(5000));
        assertEquals("fake-2", providerOf("00:04.0"), "the renewed binding is the one that left");
        nic.raise(0);
        assertEquals(1, handled.get(irqs[0] * 4 + domain.irq(irqs[0]).orElseThrow().cpu()));
    }
}
