package org.msidomain.its.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.irqchip.GicIts;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * The ITS parent on the bundled ITS machine with the real core domain and providers. Expected values come from the
 * GICv3 architecture (GITS_TRANSLATER at ITS base + 0x10040, LPIs from INTID 8192, the LPI configuration byte's
 * enable bit) and from what Linux's ITS driver programs (EventID = the vector's index, {@code its_select_cpu}'s least
 * loaded CPU, the message untouched by {@code its_set_affinity}).
 */
class ItsParentTest {

    @TempDir
    Path dir;

    @Test
    void theN1sdpRootPortIsProgrammedWithTheTranslaterAndEventIdZeroAndItsLpiReachesItsCpu() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int irq = rig.domain.allocate("00:00.0", 1, "msi")[0];
            rig.count(irq);
            String lspci = rig.machine.lspci(2, "00:00.0");
            assertTrue(lspci.contains("Address: 0000000008090040  Data: 0000"), lspci);
            assertEquals(new MsiMsg((int) ItsRig.TRANSLATER, 0, 0), rig.domain.irq(irq).orElseThrow().msg());
            assertEquals("ITS-PCI-MSI-0000:00:00.0", rig.domain.irq(irq).orElseThrow().chip());
            int lpi = rig.lpiOf(irq);
            assertTrue(lpi >= GicIts.LPI_BASE, "an LPI INTID: " + lpi);
            assertEquals(GicIts.LPI_ENABLE, rig.its.lpiConfig(lpi) & GicIts.LPI_ENABLE, "unmasked at startup");
            rig.device("00:00.0").raise(0);
            int cpu = rig.cpuOf(irq);
            assertEquals(1, rig.perCpu.get(cpu), "delivered once on CPU " + cpu);
            assertEquals(1, rig.total());
            assertEquals(0, rig.its.translationErrors(), () -> rig.its.lastTranslationErrors().toString());
        }
    }

    @Test
    void eachMsixVectorWritesItsIndexAsEventIdAndNewLpisGoToTheLeastLoadedCpu() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int[] irqs = rig.domain.allocate("00:04.0", 4);
            for (int i = 0; i < irqs.length; i++) {
                MsiMsg msg = rig.domain.irq(irqs[i]).orElseThrow().msg();
                assertEquals(new MsiMsg((int) ItsRig.TRANSLATER, 0, i), msg, "vector " + i);
                assertEquals(i, rig.cpuOf(irqs[i]), "its_select_cpu: CPU " + i + " had the fewest LPIs");
                rig.count(irqs[i]);
            }
            for (int i = 0; i < irqs.length; i++) {
                rig.device("00:04.0").raise(i);
            }
            for (int cpu = 0; cpu < 4; cpu++) {
                assertEquals(1, rig.perCpu.get(cpu), "CPU " + cpu);
            }
            assertEquals(1, rig.parent.used(2));
        }
    }

    @Test
    void anAffinityChangeMovesTheLpiWithoutTouchingTheDevice() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int irq = rig.domain.allocate("00:00.0", 1, "msi")[0];
            rig.count(irq);
            int from = rig.cpuOf(irq);
            int to = (from + 2) % 4;
            byte[] before = rig.config("00:00.0");
            rig.domain.setAffinity(irq, to);
            assertArrayEquals(before, rig.config("00:00.0"), "MOVI only: the root port's MSI registers are unchanged");
            assertEquals(to, rig.cpuOf(irq));
            rig.device("00:00.0").raise(0);
            assertEquals(1, rig.perCpu.get(to), "delivered on the new CPU");
            assertEquals(0, rig.perCpu.get(from));
            assertEquals(0, rig.parent.used(from), "the old collection holds no LPI");
            assertEquals(1, rig.parent.used(to));
        }
    }

    /** The ICH10 AHCI's MSI cannot mask: masking is the LPI's enable bit, which latches an event as pending. */
    @Test
    void anEventWhileMaskedIsHeldPendingAtTheLpiAndDeliveredOnceOnUnmask() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int irq = rig.domain.allocate("00:1f.2", 1)[0];
            rig.count(irq);
            int lpi = rig.lpiOf(irq);
            int cpu = rig.cpuOf(irq);
            rig.domain.mask(irq);
            assertEquals(0, rig.its.lpiConfig(lpi) & GicIts.LPI_ENABLE, "masked at the destination");
            HwDevice ahci = rig.device("00:1f.2");
            ahci.raise(0);
            ahci.raise(0);
            assertEquals(0, rig.total(), "nothing while masked");
            assertTrue(rig.its.lpiPending(cpu, lpi), "pending in the redistributor's table");
            rig.domain.unmask(irq);
            assertEquals(1, rig.perCpu.get(cpu), "one delivery for the held events");
            assertEquals(1, rig.domain.merged(irq), "the second merged with the pending one");
            assertFalse(rig.its.lpiPending(cpu, lpi));
            ahci.raise(0);
            assertEquals(2, rig.total());
        }
    }

    /** MSI_FLAG_PCI_MSI_MASK_PARENT: a maskable PCI MSI is masked at the source and at the ITS. */
    @Test
    void aMaskablePciMsiIsMaskedAtTheSourceAndTheLpi() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int irq = rig.domain.allocate("00:00.0", 1, "msi")[0];
            rig.count(irq);
            rig.domain.mask(irq);
            assertEquals(0, rig.its.lpiConfig(rig.lpiOf(irq)) & GicIts.LPI_ENABLE);
            rig.device("00:00.0").raise(0);
            assertEquals(0, rig.total());
            rig.domain.unmask(irq);
            assertEquals(GicIts.LPI_ENABLE, rig.its.lpiConfig(rig.lpiOf(irq)) & GicIts.LPI_ENABLE);
            assertEquals(1, rig.total(), "latched at the source, delivered once");
        }
    }

    @Test
    void aMultiMessageMsiBlockSharesTheFirstEventIdAndEachVectorItsOwnLpi() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int[] irqs = rig.domain.allocate("00:1f.2", 4, "msi");
            assertEquals(4, irqs.length);
            String lspci = rig.machine.lspci(2, "00:1f.2");
            assertTrue(lspci.contains("Address: 08090040  Data: 0000"), lspci);
            for (int irq : irqs) {
                rig.count(irq);
            }
            rig.device("00:1f.2").raise(2);
            assertEquals(1, rig.domain.irq(irqs[2]).orElseThrow().total(), "EventID 0 + 2 is vector 2's");
            assertEquals(1, rig.total());
        }
    }

    @Test
    void aCpuGoingOfflineMovesItsLpisAndLosesNothing() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int[] irqs = rig.domain.allocate("00:04.0", 4);
            for (int irq : irqs) {
                rig.count(irq);
            }
            int irq = irqs[2];
            assertEquals(2, rig.cpuOf(irq));
            HwDevice dev = rig.device("00:04.0");
            int fired = 20_000;
            CountDownLatch started = new CountDownLatch(1);
            Thread firing = new Thread(() -> {
                started.countDown();
                for (int n = 0; n < fired; n++) {
                    dev.raise(2);
                }
            });
            firing.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
            rig.domain.cpuOffline(2);
            firing.join(60_000);
            assertFalse(firing.isAlive());
            assertTrue(rig.cpuOf(irq) != 2, "moved off CPU 2");
            long delivered = rig.domain.irq(irq).orElseThrow().total();
            assertEquals(fired, delivered + rig.domain.merged(irq) + dev.merged("pci", 2), "nothing lost, nothing twice");
            long before = rig.perCpu.get(rig.cpuOf(irq));
            dev.raise(2);
            assertEquals(before + 1, rig.perCpu.get(rig.cpuOf(irq)), "after the move, on the new CPU");
            assertEquals(0, rig.its.translationErrors());
            rig.domain.cpuOnline(2);
            assertEquals(0, rig.parent.used(2));
        }
    }

    @Test
    void freeingDiscardsTheEventsUnmapsTheDeviceAndAStaleWriteIsATranslationError() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int[] irqs = rig.domain.allocate("00:04.0", 2);
            int lpi = rig.lpiOf(irqs[1]);
            assertTrue(rig.parent.mapped(0x0020), "DeviceID 00:04.0 = 0x0020");
            rig.domain.free("00:04.0");
            assertFalse(rig.parent.mapped(0x0020), "MAPD V=0 with the last event");
            assertEquals(0, rig.its.lpiConfig(lpi) & GicIts.LPI_ENABLE);
            String stale = rig.machine.injectMessage(ItsRig.TRANSLATER, 1, "00:04.0");
            assertEquals("dropped: ITS translation error: DeviceID 0x0020 not mapped", stale);
            assertEquals(List.of("DeviceID 0x0020 not mapped"), rig.its.lastTranslationErrors());
            assertEquals(8192, rig.parent.free(0), "every LPI back in the pool");
        }
    }

    @Test
    void freeingOneDynamicVectorDiscardsItsEventOnly() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int first = rig.domain.allocateAt("00:04.0", 0);
            int second = rig.domain.allocateAt("00:04.0", 1);
            rig.count(first);
            rig.domain.freeIrq(second);
            assertEquals("dropped: ITS translation error: EventID 1 of DeviceID 0x0020 not mapped",
                    rig.machine.injectMessage(ItsRig.TRANSLATER, 1, "00:04.0"));
            rig.device("00:04.0").raise(0);
            assertEquals(1, rig.total(), "the other event still translates");
        }
    }

    @Test
    void aPlatformDeviceGetsItsRequesterIdAsDeviceId() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            int[] irqs = rig.domain.allocate("ims0", 2);
            assertTrue(rig.parent.mapped(0x0080), "ims0 writes as 00:10.0");
            rig.count(irqs[1]);
            rig.device("ims0").raise(1);
            assertEquals(1, rig.total());
            assertEquals(new MsiMsg((int) ItsRig.TRANSLATER, 0, 1), rig.domain.irq(irqs[1]).orElseThrow().msg());
        }
    }

    @Test
    void aDeviceWithoutRequesterIdIsRefusedInOneLineNamingIt() throws Exception {
        Path json = Files.writeString(dir.resolve("its.json"),
                "{\"arch\": \"arm64-gicv3-its\", \"platform\": [{\"name\": \"anon0\", \"slots\": 4}]}");
        try (ItsRig rig = new ItsRig(MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rig.domain.allocate("anon0", 1));
            assertEquals("anon0: no requester id, so no DeviceID: the ITS translates a write only by the DeviceID it"
                    + " carries", e.getMessage());
            assertEquals(8192, rig.parent.free(0), "nothing kept");
            assertTrue(rig.domain.irqs().isEmpty());
        }
    }

    /** A core restart: the new domain's connect resets the ITS, and the parent maps its collections and devices again. */
    @Test
    void aNewDomainOnTheSameMachineStartsFromAFreshItsWithTheSameEventIds() throws Exception {
        SimMachine machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(ItsParent.ARCH)));
        ItsParent parent = new ItsParent(machine);
        GicIts its = machine.irqchip(GicIts.class).orElseThrow();
        MsiDomainImpl first = domain(machine, parent);
        first.allocate("00:04.0", 2);
        first.deactivate();
        MsiDomainImpl second = domain(machine, parent);
        try {
            int[] irqs = second.allocate("00:04.0", 2);
            assertEquals(new MsiMsg((int) ItsRig.TRANSLATER, 0, 1), second.irq(irqs[1]).orElseThrow().msg(),
                    "EventID = index again: the old domain's events went with the reset");
            AtomicLong handled = new AtomicLong();
            second.setHandler(irqs[1], "count", (irq, cpu) -> handled.incrementAndGet());
            machine.device("00:04.0").orElseThrow().raise(1);
            assertEquals(1, handled.get(), () -> "errors: " + its.lastTranslationErrors());
            assertEquals(0, its.translationErrors());
        } finally {
            second.deactivate();
        }
    }

    private static MsiDomainImpl domain(SimMachine machine, ItsParent parent) throws InterruptedException {
        MsiDomainImpl domain = new MsiDomainImpl(machine, parent);
        domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci",
                "msi.provider.name", "pci"));
        assertTrue(domain.awaitSettled(10_000));
        return domain;
    }

    @Test
    void aStalledCommandIsAnErrorNamingItAndTheQueueGoesOn() throws Exception {
        try (ItsRig rig = new ItsRig()) {
            ItsCommandQueue queue = new ItsCommandQueue(rig.its); // writes from GITS_CREADR on
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> queue.batch().movi(0x0042, 0, 1).sync(0).post());
            assertTrue(e.getMessage().startsWith("the ITS command queue stalled: command 0x01 at 0x"), e.getMessage());
            assertTrue(e.getMessage().endsWith(": EventID 0 of DeviceID 0x0042 not mapped"), e.getMessage());
            queue.batch().sync(1).post();
            assertEquals(0, rig.its.creadr() & GicIts.CREADR_STALLED, "retried past the bad command");
        }
    }
}
