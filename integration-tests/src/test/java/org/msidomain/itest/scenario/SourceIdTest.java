package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.Machine;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.hpet.HpetBlock;
import org.msidomain.provider.hpet.internal.HpetStorageOps;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * Source validation under interrupt remapping for the sources that are not PCI functions (Linux
 * drivers/iommu/intel/irq_remapping.c): the HPET's entries validate the source id of the DMAR unit's HPET
 * device scope as {@code set_hpet_sid} programs them (SVT=1 "verify SID and SQ", SQ=3 {@code SQ_13_IGNORE_3}:
 * bus and device, not the function, "because some platforms are broken"); a platform device's entries validate
 * its own requester id as {@code set_msi_sid} does a PCI function's (SVT=1, SQ=0: all 16 bits). A write that
 * carries no requester id passes no entry that validates its source (VT-d 9.10), whatever QEMU's emulation does.
 * Machine: machines/source-id.json (no {@code hpetSourceId}: the default scope 00:1f.0; ims0 is 00:15.0).
 */
class SourceIdTest {

    /** VT-d 9.10 IRTE high qword: SID bits 15:0, SQ bits 17:16, SVT bits 19:18. */
    private static long sourceValidation(int svt, int sq, int sid) {
        return sid | (long) sq << 16 | (long) svt << 18;
    }

    /** PCIe requester id: bus << 8 | device << 3 | function. */
    private static int rid(int bus, int dev, int fn) {
        return bus << 8 | dev << 3 | fn;
    }

    private SimMachine machine;
    private MsiDomainImpl domain;
    private RemappingTable irt;
    private final AtomicLong handled = new AtomicLong();
    /** The last high qword the domain wrote to each IRTE, by index. */
    private final Map<Integer, Long> irteHigh = new ConcurrentHashMap<>();

    @BeforeEach
    void boot() throws Exception {
        String json = new File(getClass().getResource("/machines/source-id.json").toURI()).getAbsolutePath();
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json)::get));
        irt = (RemappingTable) machine.remapping().orElseThrow();
        domain = X86Domains.domain(IrteWrites.recording(machine, (index, low, high) -> irteHigh.put(index, high)));
        bind(1, new PciStorageOps(), "pci");
        bind(2, new HpetStorageOps(), "hpet");
        bind(3, new PlatformStorageOps(), "platform");
        assertTrue(domain.awaitSettled(5000));
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    private void bind(long id, MsiStorageOps ops, String type) {
        domain.bindStorageOps(ops, Map.of("service.id", id, MsiStorageOps.STORAGE_TYPE, type, "msi.provider.name", type));
    }

    private List<Integer> faultReasons() {
        return irt.faults().stream().map(RemappingTable.Fault::reason).toList();
    }

    @Test
    void theHpetsEntryValidatesTheDmarScopesSourceIdAsSetHpetSid() {
        HpetBlock hpet = machine.model("hpet", HpetBlock.class).orElseThrow();
        int irq = domain.allocateAt("hpet", 2);
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        int address = hpet.region(0).read32(0x114 + 0x20 * 2); // Tn_FSB_INT_ADDR: the handle
        int index = IrteWrites.handle(address);
        assertEquals(sourceValidation(1, 3, rid(0x00, 0x1f, 0)), irteHigh.get(index),
                "SVT=1, SQ=3 (SQ_13_IGNORE_3), SID = the HPET scope's 00:1f.0");
        assertEquals(0, hpet.region(0).read32(0x110 + 0x20 * 2), "data = sub-handle 0");

        hpet.raise(2);
        assertEquals(1, handled.get(), "the HPET's own write (requester id 00:1f.0) is delivered");
        long a = address & 0xFFFF_FFFFL;
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed)", machine.injectMessage(a, 0, "00:04.0"),
                "a PCI function forging the HPET's handle");
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                machine.injectMessage(a, 0, null));
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed)", machine.injectMessage(a, 0, "ims0"));
        // SQ_13_IGNORE_3 compares bus and device only: 00:1f.2 (the AHCI function) passes, as on Linux
        assertEquals("remapped and delivered", machine.injectMessage(a, 0, "00:1f.2"));
        assertEquals(2, handled.get());
        assertEquals(List.of(0x26, 0x26, 0x26), faultReasons());
    }

    @Test
    void aPlatformDevicesEntryValidatesItsRequesterIdAsSetMsiSid() {
        int irq = domain.allocate("ims0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        int address = machine.device("ims0").orElseThrow().region(0).read32(0); // slot 0: address lo
        int index = IrteWrites.handle(address);
        assertEquals(sourceValidation(1, 0, rid(0x00, 0x15, 0)), irteHigh.get(index), "SVT=1, SQ=0, SID = 00:15.0");

        machine.device("ims0").orElseThrow().raise(0);
        assertEquals(1, handled.get());
        long a = address & 0xFFFF_FFFFL;
        assertEquals("remapped and delivered", machine.injectMessage(a, 0, "ims0"));
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed)", machine.injectMessage(a, 0, "queue0"),
                "00:15.1: SQ=0 compares all 16 bits");
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                machine.injectMessage(a, 0, null));
        assertEquals(2, handled.get());
        assertEquals(List.of(0x26, 0x26), faultReasons());

        int queued = domain.allocate("queue0", 1)[0];
        domain.setHandler(queued, "q", (i, cpu) -> handled.incrementAndGet());
        assertTrue(irteHigh.containsValue(sourceValidation(1, 0, rid(0x00, 0x15, 1))), "queue0's entry: " + irteHigh);
        machine.device("queue0").orElseThrow().raise(0);
        assertEquals(3, handled.get());
    }

    @Test
    void aWriteWithoutRequesterIdToAPciFunctionsEntryIsAFaultNotADelivery() {
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        long a = machine.device("00:04.0").orElseThrow().region(0).read32(0x8000) & 0xFFFF_FFFFL; // MSI-X entry 0
        assertEquals(sourceValidation(1, 0, rid(0x00, 0x04, 0)), irteHigh.get(IrteWrites.handle((int) a)));
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                machine.injectMessage(a, 0, null));
        assertEquals(0, handled.get());
        assertEquals(List.of(0x26), faultReasons());
        assertEquals("remapped and delivered", machine.injectMessage(a, 0, "00:04.0"));
        assertEquals(1, handled.get());
    }
}
