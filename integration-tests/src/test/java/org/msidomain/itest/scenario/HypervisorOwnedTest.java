package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * Scenario 22: a hypervisor owns the MSI-X table (pseries, Linux arch/powerpc/platforms/pseries/msi.c). The
 * hypervisor chooses the messages (RTAS {@code ibm,change-msi}) and the OS reads them back
 * ({@code pseries_msi_compose_msg} = {@code __pci_read_msi_msg}); the OS never writes nor zeroes them
 * ({@code pseries_msi_write_msg}). Masking is at the source (the entry's mask bit, {@code pci_msi_mask_irq}) and
 * at the parent ({@code irq_chip_mask_parent}); unmasking in the order of Linux's {@code MSI_FLAG_PCI_MSI_MASK_PARENT}
 * (drivers/pci/msi/irqdomain.c {@code pci_irq_unmask_msix}: parent, then device).
 *
 * <p>Register layout from PCIe r6 §7.7.2: MSI-X entry k at table + 16k (address lo, address hi, data, vector
 * control), Vector Control bit 0 = Mask Bit; PBA bit k. The virtio-net function: table BAR0+0x8000, PBA
 * BAR0+0x48000.
 */
class HypervisorOwnedTest {

    private static final String NIC = "00:04.0";
    private static final long TABLE = 0x8000;
    private static final long PBA = 0x48000;

    private SimMachine machine;
    private MsiDomainImpl domain;
    private PciFunction nic;
    private Mmio bar;
    private final AtomicLong handled = new AtomicLong();

    @BeforeEach
    void boot() throws Exception {
        String json = new File(getClass().getResource("/machines/pseries.json").toURI()).getAbsolutePath();
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json)::get));
        domain = X86Domains.domain(machine);
        domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci"));
        assertTrue(domain.awaitSettled(5000));
        nic = machine.pciFunction(NIC).orElseThrow();
        bar = nic.region(0);
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    /** What entry k of the device holds, read from its table. */
    private MsiMsg entry(int k) {
        long e = TABLE + 16L * k;
        return new MsiMsg(bar.read32(e), bar.read32(e + 4), bar.read32(e + 8));
    }

    private boolean entryMasked(int k) {
        return (bar.read32(TABLE + 16L * k + 12) & 1) != 0;
    }

    private boolean pbaPending(int k) {
        return (bar.read32(PBA) & (1 << k)) != 0;
    }

    @Test
    void theHypervisorChoosesTheMessageAndTheDomainShowsWhatTheDeviceHolds() {
        int[] irqs = domain.allocate(NIC, 2);
        for (int irq : irqs) {
            domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        }
        domain.setAffinity(irqs[1], 3);
        IrqInfo moved = domain.irq(irqs[1]).orElseThrow();
        assertEquals(3, moved.cpu());
        MsiMsg held = entry(1);
        assertEquals(held, moved.msg(), "the irq's message is the one the device holds, read back");
        assertNotEquals(new MsiMsg(Sdm.addressLo(machine.apicId(3)), 0, Sdm.data(moved.vector())), held,
                "the hypervisor's choice, not the fixed message the OS would compose");
        // SDM vol. 3 11.11.1-2: 0xFEE window, physical destination (bit 2 = 0) = CPU 3's APIC id, vector in 7:0
        assertEquals(0xFEE, held.addressLo() >>> 20);
        assertEquals(machine.apicId(3), (held.addressLo() >>> 12) & 0xFF);
        assertEquals(0, held.addressLo() & 0x4);
        assertEquals(moved.vector(), held.data() & 0xFF);
        nic.raise(1);
        assertEquals(Long.valueOf(1), domain.irq(irqs[1]).orElseThrow().counts().get(3), "delivered once, on CPU 3");
        assertEquals(1, handled.get());

        domain.cpuOffline(3); // the vector moves off the dying CPU: the hypervisor reprograms, the domain reads back
        IrqInfo away = domain.irq(irqs[1]).orElseThrow();
        assertNotEquals(3, away.cpu());
        assertEquals(entry(1), away.msg());
        assertEquals(machine.apicId(away.cpu()), (away.msg().addressLo() >>> 12) & 0xFF);
        nic.raise(1);
        assertEquals(Long.valueOf(1), domain.irq(irqs[1]).orElseThrow().counts().get(away.cpu()));
        assertEquals(2, handled.get());
        assertEquals(entry(0), domain.irq(irqs[0]).orElseThrow().msg());
        assertEquals(0, nic.osTableWrites(), "the OS never wrote a message word");
    }

    @Test
    void maskedAtTheSourceAndTheParentEachHeldEventIsDeliveredOnceOnUnmask() {
        int irq = domain.allocate(NIC, 1)[0];
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        assertTrue(!entryMasked(0), "started: unmasked at the source");

        domain.mask(irq);
        assertTrue(entryMasked(0), "pci_msi_mask_irq: the entry's mask bit set by the OS");
        nic.raise(0);
        assertTrue(pbaPending(0), "a raise while masked is latched in the PBA");
        assertEquals(0, handled.get());
        // A message already on its way when the mask took effect reaches the interrupt controller: the parent holds it.
        MsiMsg held = entry(0);
        machine.injectMessage(Integer.toUnsignedLong(held.addressLo()) | (long) held.addressHi() << 32, held.data(), NIC);
        assertEquals(0, handled.get(), "held by the parent mask");
        assertTrue(domain.irq(irq).orElseThrow().pending());

        domain.unmask(irq);
        // Parent first, then the source: the parent's held event is delivered, then the PBA's. The other order would
        // send the PBA's event into a parent still masked, where it merges with the one held there.
        assertEquals(2, handled.get(), "each held event delivered once");
        assertEquals(0, domain.merged(irq));
        assertTrue(!entryMasked(0));
        assertTrue(!pbaPending(0));
        assertTrue(!domain.irq(irq).orElseThrow().pending());
        nic.raise(0);
        assertEquals(3, handled.get(), "nothing left held: the next raise is delivered at once");
    }

    @Test
    void anEventBeforeTheHandlerIsLatchedAtTheSourceAndDeliveredOnceAtStartup() {
        int irq = domain.allocate(NIC, 1)[0];
        assertTrue(entryMasked(0), "masked from allocation until request_irq (the hypervisor leaves the mask bit alone)");
        nic.raise(0);
        assertTrue(pbaPending(0));
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        assertEquals(1, handled.get(), "the latched event delivered once at startup");
        assertTrue(!entryMasked(0));
        assertTrue(!pbaPending(0));
    }

    @Test
    void theOsNeverWritesTheMessagesAndDeactivationDoesNotZeroThem() {
        int[] irqs = domain.allocate(NIC, 2);
        for (int irq : irqs) {
            domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        }
        MsiMsg programmed = entry(0);
        domain.free(NIC);
        assertEquals(programmed, entry(0), "deactivation must not zero the entry");
        assertEquals(0, nic.osTableWrites(), "the OS never wrote a message word");

        int again = domain.allocate(NIC, 1)[0];
        domain.setHandler(again, "h", (i, cpu) -> handled.incrementAndGet());
        nic.raise(0);
        assertEquals(1, handled.get(), "a later activation still works");
        assertEquals(0, nic.osTableWrites());
        assertNotEquals(0, entry(0).addressLo());
        assertEquals(entry(0), domain.irq(again).orElseThrow().msg());
    }
}
