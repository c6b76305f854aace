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
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.Machine;
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
    /** Every remapping-table entry the domain writes, as "index low high", in order. */
    private final List<String> irteWrites = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void boot() throws Exception {
        String json = new File(getClass().getResource("/machines/remap.json").toURI()).getAbsolutePath();
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json)::get));
        domain = X86Domains.domain(IrteWrites.recording(machine,
                (index, low, high) -> irteWrites.add(index + " " + Long.toHexString(low) + " " + Long.toHexString(high))));
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

    /**
     * The low half of a remapped-mode IRTE as VT-d 9.10 defines it: present (bit 0), fixed delivery, physical
     * destination, edge, the vector in bits 23:16, the x2APIC destination in bits 63:32.
     */
    private static long irteLow(int vector, int apicId) {
        return 1L | (long) vector << 16 | (apicId & 0xFFFF_FFFFL) << 32;
    }

    @Test
    void firingWhileTheEntryIsRewrittenLosesNothing() throws Exception {
        PciFunction nic = machine.pciFunction("00:04.0").orElseThrow();
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        int faultsBefore = irt.faults().size();
        int moves = 4_000;
        AtomicLong fired = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread firer = new Thread(() -> {
            while (moving.get()) {
                nic.raise(0);
                fired.incrementAndGet();
            }
        });
        firer.start();
        try {
            for (int i = 0; i < moves; i++) {
                domain.setAffinity(irq, i % domain.cpuCount());
                // the firer keeps firing during the rewrites; before the next one, at least one raise that
                // began after this one returned has completed: it was translated with this entry
                long after = fired.get();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                while (fired.get() < after + 2) {
                    assertTrue(System.nanoTime() < deadline, "the firing thread made no progress in 60 s");
                    Thread.onSpinWait();
                }
            }
        } finally {
            moving.set(false);
            firer.join();
        }
        assertTrue(fired.get() >= 2L * moves, "fired " + fired.get() + " for " + moves + " rewrites");
        assertEquals(faultsBefore, irt.faults().size(), "no remapping fault: an entry is never seen half written");
        assertEquals(fired.get(), handled.get(), "every message translated with the old or the new entry is delivered");
        IrqInfo info = domain.irq(irq).orElseThrow();
        assertEquals(fired.get(), info.total());
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            assertTrue(info.counts().get(cpu) >= moves / domain.cpuCount(),
                    "delivered on CPU " + cpu + " after each of its " + moves / domain.cpuCount() + " rewrites: " + info.counts());
        }
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

    /**
     * Linux keeps reservation mode under remapping: the PCI core sets MSI_FLAG_MUST_REACTIVATE on every PCI/MSI
     * domain and the IR parents keep it, so the vector domain only reserves and the entry points at the shutdown
     * vector until request_irq. The MSI-X entry stays masked meanwhile; an early event is latched in the PBA.
     */
    @Test
    void msixUnderRemappingIsReservedAndMaskedUntilRequestedThenDeliveredOnce() {
        PciFunction nic = machine.pciFunction("00:04.0").orElseThrow();
        Mmio bar = nic.region(0);
        irteWrites.clear();
        int irq = domain.allocate("00:04.0", 1)[0];
        assertEquals(1, irteWrites.size(), irteWrites.toString());
        String[] first = irteWrites.get(0).split(" ");
        assertEquals(0xFF, (Long.parseUnsignedLong(first[1], 16) >>> 16) & 0xFF, "the entry holds the reservation vector");
        assertEquals(1, bar.read32(0x8000 + 12) & 1, "entry 0 masked from allocation");
        nic.raise(0);
        assertEquals(1, bar.read32(0x48000) & 1, "PBA bit 0 latched");
        assertEquals(0, domain.irq(irq).orElseThrow().total());

        domain.setHandler(irq, "count", (i, cpu) -> handled.incrementAndGet());
        IrqInfo info = domain.irq(irq).orElseThrow();
        assertEquals(1, handled.get(), "delivered once at request_irq, through the entry's real vector");
        assertEquals(0, bar.read32(0x48000) & 1);
        assertEquals(0, bar.read32(0x8000 + 12) & 1, "started: unmasked");
        String[] last = irteWrites.get(irteWrites.size() - 1).split(" ");
        assertEquals(info.vector(), (Long.parseUnsignedLong(last[1], 16) >>> 16) & 0xFF, "the entry got the real vector");
        assertTrue(info.vector() >= 0x20 && info.vector() < 0xFF);

        domain.removeHandler(irq);
        assertEquals(1, bar.read32(0x8000 + 12) & 1, "free_irq: entry masked");
        nic.raise(0);
        assertEquals(1, bar.read32(0x48000) & 1, "latched");
        domain.setHandler(irq, "count", (i, cpu) -> handled.incrementAndGet());
        assertEquals(2, handled.get(), "delivered once at the next request");
        assertTrue(irt.faults().isEmpty(), irt.faults().toString());
    }

    @Test
    void forgedWritesAreBlockedAndEachIsAFault() {
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        PciFunction nic = machine.pciFunction("00:04.0").orElseThrow();
        long handle = nic.region(0).read32(0x8000) & 0xFFFF_FFFFL; // MSI-X entry 0's address, as the device holds it
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

    /**
     * A remappable-format write that carries no requester id is checked as VT-d checks every write (9.10): the
     * entry asks for source validation (SVT=1), so it fails (fault 0x26). QEMU skips the check when its HPET
     * sends without one; real hardware has no such write: every source puts a requester id on it.
     */
    @Test
    void aWriteWithoutRequesterIdFailsAnEntryThatValidatesItsSource() {
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        long handle = machine.pciFunction("00:04.0").orElseThrow().region(0).read32(0x8000) & 0xFFFF_FFFFL;
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                machine.injectMessage(handle, 0, null));
        assertEquals(0, handled.get(), "not delivered");
        assertEquals(List.of(0x26), irt.faults().stream().map(RemappingTable.Fault::reason).toList());
        assertEquals(-1, irt.faults().get(0).requesterId());
        assertEquals(1, faultEvents.get(), "reported through the DMAR fault event interrupt");
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

    @Test
    void aMultiMessageBlockIsABlockOfEntriesAndAnAffinityChangeRewritesOnlyThatIrqsEntry() {
        PciFunction plx = machine.pciFunction("05:01.0").orElseThrow();
        ConfigSpace cfg = plx.pciConfig();
        int[] irqs = domain.allocate("05:01.0", 3, "msi");
        assertEquals(2, (cfg.read16(0x48 + 2) >> 4) & 7, "QSIZE = 2: four message slots for three vectors");
        int base = IrteWrites.handle(cfg.read32(0x48 + 4));
        assertEquals(0, base % 4, "the block of four entries is aligned to four");
        assertEquals(0, cfg.read16(0x48 + 0x0C), "data = sub-handle 0: vector k adds k (entry base + k)");
        for (int k = 0; k < 3; k++) {
            domain.setHandler(irqs[k], "h" + k, (i, cpu) -> handled.incrementAndGet());
        }
        IrqInfo[] before = new IrqInfo[3];
        for (int k = 0; k < 3; k++) {
            before[k] = domain.irq(irqs[k]).orElseThrow();
            plx.raise(k);
            assertEquals(1, domain.irq(irqs[k]).orElseThrow().total(), "sub-handle " + k + " selects entry base + " + k);
        }

        int target = before[1].cpu() == 3 ? 0 : 3;
        List<Integer> deviceWrites = new ArrayList<>();
        plx.setWriteObserver(() -> deviceWrites.add(1));
        irteWrites.clear();
        domain.setAffinity(irqs[1], target);
        plx.setWriteObserver(null);

        IrqInfo moved = domain.irq(irqs[1]).orElseThrow();
        assertEquals(target, moved.cpu());
        assertEquals(List.of((base + 1) + " " + Long.toHexString(irteLow(moved.vector(), machine.apicId(target))) + " "
                + Long.toHexString(plx.requesterId() | 1L << 18)), irteWrites,
                "one entry rewritten, base + 1, with the new vector and destination (SVT=1, the device's requester id)");
        assertTrue(deviceWrites.isEmpty(), "the device's registers are untouched");
        for (int k : new int[] { 0, 2 }) {
            IrqInfo other = domain.irq(irqs[k]).orElseThrow();
            assertEquals(before[k].cpu(), other.cpu(), "irq " + k + " stays on its CPU");
            assertEquals(before[k].vector(), other.vector(), "and keeps its vector");
        }
        for (int k = 0; k < 3; k++) {
            plx.raise(k);
        }
        assertEquals(1L, domain.irq(irqs[1]).orElseThrow().counts().get(target), "irq 1 now arrives on CPU " + target);
        for (int k : new int[] { 0, 2 }) {
            assertEquals(2L, domain.irq(irqs[k]).orElseThrow().counts().get(before[k].cpu()), "irq " + k + " where it was");
        }
        assertEquals(6, handled.get());
        assertEquals(0, faultEvents.get());

        irteWrites.clear();
        domain.free("05:01.0");
        assertTrue(domain.irqs().stream().noneMatch(i -> i.device().equals("05:01.0")), "the block freed");
        assertEquals(List.of(base + " 0 0", (base + 1) + " 0 0", (base + 2) + " 0 0", (base + 3) + " 0 0"), irteWrites,
                "the block's four entries cleared");
    }
}
