package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.internal.pci.PciFunction;

/**
 * The Command register (0x04) on the MSI paths. Bus Master Enable (bit 2): a function without it writes no
 * message (PCI 3.0 §6.2.2; QEMU sends MSI through the bus-master address space, disabled while the bit is
 * clear), so the event is lost, counted in the machine's lost messages; an allocation is the driver's probe and
 * sets it as Linux's pci_set_master. Interrupt Disable (bit 10): Linux sets it when MSI or MSI-X is enabled
 * (pci_intx_for_msi(dev, 0) in msi_capability_init / msix_capability_init) and clears it when either is shut
 * down (pci_msi_shutdown / pci_msix_shutdown); lspci -vv shows it as {@code DisINTx+} on the Control line.
 */
class CommandRegisterTest {

    private static final String NIC = "00:04.0"; // virtio-net: MSI-X 4, dumped BusMaster+ DisINTx+
    private static final String PLX = "05:01.0"; // MSI 64-bit maskable 1/8, dumped BusMaster+ DisINTx+
    private static final int COMMAND = 0x04;
    private static final int MASTER = 1 << 2;
    private static final int INTX_DISABLE = 1 << 10;

    private Rig rig;

    @BeforeEach
    void boot() throws InterruptedException {
        rig = new Rig();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private ConfigSpace config(String id) {
        return rig.pci(id).pciConfig();
    }

    /** The Control line of {@code lspci -vv}, as pciutils prints it (lspci.c show_verbose). */
    private String control(String id) {
        return rig.machine.lspci(2, id).lines().filter(l -> l.startsWith("\tControl: ")).findFirst().orElseThrow();
    }

    private void clear(String id, int bits) {
        config(id).write16(COMMAND, config(id).read16(COMMAND) & ~bits);
    }

    @Test
    void msixWithoutBusMasterSendsNothingAndTheEventIsCountedLost() {
        PciFunction nic = rig.pci(NIC);
        int irq = rig.domain.allocate(NIC, 1)[0];
        rig.count(irq);
        nic.raise(0);
        assertEquals(1, rig.handled.get());
        long lost = rig.machine.lostMessages();

        clear(NIC, MASTER); // pci_clear_master
        assertTrue(control(NIC).contains(" BusMaster- "), control(NIC));
        nic.raise(0);
        assertEquals(1, rig.handled.get(), "no message without Bus Master Enable");
        assertEquals(lost + 1, rig.machine.lostMessages(), "the event is lost, and counted");
        assertEquals(1, rig.total(irq));

        config(NIC).write16(COMMAND, config(NIC).read16(COMMAND) | MASTER);
        nic.raise(0);
        assertEquals(2, rig.handled.get(), "with the bit set again the function signals");
        assertEquals(lost + 1, rig.machine.lostMessages());
    }

    @Test
    void aPendingMsiVectorReleasedWithoutBusMasterIsLostOnce() {
        PciFunction plx = rig.pci(PLX);
        int irq = rig.domain.allocate(PLX, 1, "msi")[0];
        rig.count(irq);
        rig.domain.mask(irq);
        plx.raise(0);
        assertTrue(plx.msi().orElseThrow().pending(0), "latched while masked");
        clear(PLX, MASTER);
        long lost = rig.machine.lostMessages();
        rig.domain.unmask(irq); // the device clears the pending bit and sends: the write goes nowhere
        assertEquals(0, rig.handled.get());
        assertEquals(lost + 1, rig.machine.lostMessages());
        assertTrue(!plx.msi().orElseThrow().pending(0), "the pending bit is spent");
    }

    @Test
    void anAllocationSetsBusMasterAsPciSetMasterDoes() {
        clear(NIC, MASTER); // a function no driver made a bus master yet
        assertEquals(0, config(NIC).read16(COMMAND) & MASTER);
        int irq = rig.domain.allocate(NIC, 2)[1];
        assertEquals(MASTER, config(NIC).read16(COMMAND) & MASTER, "the driver's probe set Bus Master Enable");
        assertTrue(control(NIC).contains(" BusMaster+ "), control(NIC));
        rig.count(irq);
        long lost = rig.machine.lostMessages();
        rig.pci(NIC).raise(1);
        assertEquals(1, rig.handled.get());
        assertEquals(lost, rig.machine.lostMessages());
    }

    @Test
    void enablingMsixSetsInterruptDisableAndShuttingItDownClearsIt() {
        clear(NIC, INTX_DISABLE); // as a function comes out of reset: INTx enabled
        assertTrue(control(NIC).endsWith(" DisINTx-"), control(NIC));
        rig.domain.allocate(NIC, 4);
        assertEquals(INTX_DISABLE, config(NIC).read16(COMMAND) & INTX_DISABLE);
        assertEquals("\tControl: I/O- Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx+",
                control(NIC));
        rig.domain.free(NIC);
        assertEquals(0, config(NIC).read16(COMMAND) & INTX_DISABLE, "pci_msix_shutdown: pci_intx_for_msi(dev, 1)");
        assertTrue(control(NIC).endsWith(" DisINTx-"), control(NIC));
    }

    @Test
    void enablingMsiSetsInterruptDisableAndShuttingItDownClearsIt() {
        clear(PLX, INTX_DISABLE);
        assertTrue(control(PLX).endsWith(" DisINTx-"), control(PLX));
        rig.domain.allocate(PLX, 1, "msi");
        assertEquals(INTX_DISABLE, config(PLX).read16(COMMAND) & INTX_DISABLE);
        assertTrue(control(PLX).endsWith(" DisINTx+"), control(PLX));
        assertTrue(rig.machine.lspci(2, PLX).contains("MSI: Enable+ "), rig.machine.lspci(2, PLX));
        rig.domain.free(PLX);
        assertEquals(0, config(PLX).read16(COMMAND) & INTX_DISABLE, "pci_msi_shutdown: pci_intx_for_msi(dev, 1)");
        assertTrue(control(PLX).endsWith(" DisINTx-"), control(PLX));
    }
}
