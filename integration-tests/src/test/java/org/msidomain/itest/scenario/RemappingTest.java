package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.dmar.DmarUnit;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.provider.dmar.internal.DmarStorageOps;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/** Scenario 19 of the reference (section 9): interrupt remapping on, with forged writes and faults. */
class RemappingTest {

    private SimMachine machine;
    private MsiDomainImpl domain;
    private RemappingTable irt;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong faultEvents = new AtomicLong();

    @BeforeEach
    void boot() throws Exception {
        String json = new File(getClass().getResource("/machines/remap.json").toURI()).getAbsolutePath();
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json)::get));
        domain = new MsiDomainImpl(machine);
        domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci"));
        domain.bindStorageOps(new DmarStorageOps(), Map.of("service.id", 2L, MsiStorageOps.STORAGE_TYPE, "dmar"));
        assertTrue(domain.awaitSettled(5000));
        DmarUnit unit = machine.model("dmar0", DmarUnit.class).orElseThrow();
        irt = unit.remapping().orElseThrow();
        int fault = domain.allocate("dmar0", 1)[0];
        Mmio regs = unit.region(0);
        domain.setHandler(fault, "dmar-fault", (i, cpu) -> {
            faultEvents.incrementAndGet();
            regs.write32(0x34, -1); // dmar_fault clears FSTS
        });
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    @Test
    void firingWhileTheEntryIsRewrittenLosesNothing() throws Exception {
        PciFunction nic = machine.pciFunction("00:04.0").orElseThrow();
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        int faultsBefore = irt.faults().size();
        long fired = 0;
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread mover = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                domain.setAffinity(irq, i % domain.cpuCount());
            }
            moving.set(false);
        });
        mover.start();
        while (moving.get()) {
            nic.raise(0);
            fired++;
        }
        mover.join();
        assertTrue(fired > 0);
        assertEquals(faultsBefore, irt.faults().size(), "no remapping fault: an entry is never seen half written");
        assertEquals(fired, handled.get(), "every message translated with the old or the new entry is delivered");
        assertEquals(fired, domain.irq(irq).orElseThrow().total());
    }

    @Test
    void devicesHoldHandlesAndAffinityRewritesOnlyTheEntry() {
        PciFunction nic = machine.pciFunction("00:04.0").orElseThrow();
        int[] irqs = domain.allocate("00:04.0", 4);
        domain.setHandler(irqs[1], "h", (i, cpu) -> handled.incrementAndGet());
        IrqInfo info = domain.irq(irqs[1]).orElseThrow();
        assertEquals("IR-PCI-MSIX-0000:00:04.0", info.chip());
        int lo = nic.region(0).read32(0x8000 + 16);
        assertEquals(0x18, lo & 0x18, "remappable format with SHV");
        List<Integer> writes = new ArrayList<>();
        nic.setWriteObserver(() -> writes.add(1));
        domain.setAffinity(irqs[1], 2); // x2APIC id 300: reachable only through remapping
        nic.setWriteObserver(null);
        assertTrue(writes.isEmpty(), "the device's storage is untouched by an affinity change");
        assertEquals(lo, nic.region(0).read32(0x8000 + 16));
        nic.raise(1);
        assertEquals(List.of(0L, 0L, 1L, 0L), domain.irq(irqs[1]).orElseThrow().counts());
        assertEquals(0, faultEvents.get());
    }

    @Test
    void forgedWritesAreBlockedAndEachIsAFault() {
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        long handle = domain.irq(irq).orElseThrow().msg().address();
        assertEquals("remapped and delivered", machine.injectMessage(handle, 0, "00:04.0"));
        assertEquals(1, handled.get());

        assertEquals("dropped: remapping fault 0x26 (source-id verification failed)",
                machine.injectMessage(handle, 0, "00:1f.2"), "another device's requester id");
        long beyond = 0xFEE00000L | (300 & 0x7FFF) << 5 | 0x18;
        assertEquals("dropped: remapping fault 0x21 (index beyond the table)", machine.injectMessage(beyond, 0, "00:04.0"));
        long absent = 0xFEE00000L | 200 << 5 | 0x18;
        assertEquals("dropped: remapping fault 0x22 (entry not present)", machine.injectMessage(absent, 0, "00:04.0"));
        assertEquals("dropped: remapping fault 0x25 (compatibility format blocked)",
                machine.injectMessage(0xFEE01000L, 0x41, "00:04.0"));
        assertEquals(1, handled.get(), "no forged write reached a handler");
        assertEquals(List.of(0x26, 0x21, 0x22, 0x25), irt.faults().stream().map(RemappingTable.Fault::reason).toList());
        assertEquals(4, faultEvents.get(), "each fault reported through the DMAR fault event interrupt");
    }

    @Test
    void multiMessageUsesSubHandlesAndNonMaskableMsiNeedsNoInterimVector() {
        PciFunction plx = machine.pciFunction("05:01.0").orElseThrow();
        int[] irqs = domain.allocate("05:01.0", 4, "msi");
        for (int k = 0; k < 4; k++) {
            domain.setHandler(irqs[k], "h", (i, cpu) -> handled.incrementAndGet());
            plx.raise(k);
            assertEquals(1, domain.irq(irqs[k]).orElseThrow().total(), "sub-handle " + k + " selects its own entry");
        }
        assertEquals(0x18, plx.pciConfig().read32(0x48 + 4) & 0x18);
        assertEquals(0, plx.pciConfig().read16(0x48 + 0x0C), "data = sub-handle 0 for the block");

        PciFunction ahci = machine.pciFunction("00:1f.2").orElseThrow();
        int irq = domain.allocate("00:1f.2", 1)[0];
        List<Integer> writes = new ArrayList<>();
        ahci.setWriteObserver(() -> writes.add(1));
        domain.setAffinity(irq, (domain.irq(irq).orElseThrow().cpu() + 1) % 4);
        ahci.setWriteObserver(null);
        assertTrue(writes.isEmpty(), "under remapping the non-maskable move writes nothing to the device");
        assertEquals(0, faultEvents.get());
        assertEquals(0, machine.lostMessages());
    }
}
