package org.msidomain.imsic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.irqchip.Imsic;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * The generic domain on the bundled {@code riscv-aia-imsic} machine (4 harts, interrupt files at 0x28000000 + hart x
 * 0x1000, identities 1-255) with the real PCI and platform providers, checked against what Linux's IMSIC driver
 * programs: address = the hart's file, data = the identity, identities from 2 (0 is never implemented, 1 is
 * IMSIC_IPI_ID), masking at the identity's eie bit, moves that carry a pending eip bit to the new identity.
 */
class ImsicDomainTest {

    private static final long BASE = 0x2800_0000L;
    private static final long STRIDE = 0x1000;
    private static final String NIC = "00:04.0";  // virtio-net: MSI-X 4 entries, table BAR0+0x8000
    private static final int TABLE = 0x8000;
    private static final String AHCI = "00:1f.2"; // ICH10 AHCI: MSI [80] 32-bit, no per-vector masking, 1/16
    private static final String PLX = "05:01.0";  // PLX downstream port: MSI [48] 64-bit maskable, 1/8

    private SimMachine machine;
    private Imsic imsic;
    private ImsicParent parent;
    private MsiDomainImpl domain;
    /** Every handled interrupt as irq@cpu. */
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(ImsicParent.ARCH_NAME)));
        imsic = machine.irqchip(Imsic.class).orElseThrow();
        parent = new ImsicParent(machine);
        domain = new MsiDomainImpl(machine, parent);
        bind(1, new PciStorageOps(), "pci");
        bind(2, new PlatformStorageOps(), "platform");
        assertTrue(domain.awaitSettled(10_000), "binder settled");
    }

    private void bind(long id, MsiStorageOps ops, String type) {
        domain.bindStorageOps(ops, Map.of("service.id", id, MsiStorageOps.STORAGE_TYPE, type, "msi.provider.name", type));
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    private void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> handled.add(i + "@" + cpu));
    }

    private IrqInfo info(int irq) {
        return domain.irq(irq).orElseThrow();
    }

    private PciFunction pci(String id) {
        return machine.pciFunction(id).orElseThrow();
    }

    /** MSI-X entry k of the NIC: address lo, address hi, data, vector control. */
    private int[] entry(int k) {
        Mmio bar = pci(NIC).region(0);
        return new int[] { bar.read32(TABLE + 16 * k), bar.read32(TABLE + 16 * k + 4), bar.read32(TABLE + 16 * k + 8),
            bar.read32(TABLE + 16 * k + 12) };
    }

    @Test
    void theParentServesItsArchitectureWithLinuxsNameNoPrefixAndIdentitiesAsIds() {
        assertEquals("riscv-aia-imsic", parent.arch());
        assertEquals("IMSIC", parent.name());
        assertEquals(256, parent.ids(), "identities 0-255 of a file");
        assertEquals(254, parent.free(0), "255 identities less the IPI identity");
        assertEquals(4, parent.cpus());
    }

    @Test
    void msixEntriesHoldTheHartsInterruptFileAndTheIdentityAndFireOnThatHart() {
        int[] irqs = domain.allocate(NIC, 2, "msix");
        // irq_matrix_alloc: the hart with the most free identities (the lowest on a tie), its lowest free identity
        for (int k = 0; k < 2; k++) {
            IrqInfo info = info(irqs[k]);
            assertEquals(k, info.cpu());
            assertEquals(2, info.vector(), "identities 0 and 1 (IMSIC_IPI_ID) are the system's");
            assertEquals("PCI-MSIX-0000:00:04.0", info.chip(), "imsic_msi_parent_ops has no prefix");
            int[] e = entry(k);
            assertEquals((int) (BASE + k * STRIDE), e[0], "Message Address: hart " + k + "'s file, seteipnum_le");
            assertEquals(0, e[1], "Message Upper Address");
            assertEquals(2, e[2], "Message Data: the identity");
            assertTrue(!imsic.enabled(k, 2), "masked at the destination until started");
            count(irqs[k]);
            assertTrue(imsic.enabled(k, 2), "started: eie set");
        }
        pci(NIC).raise(1);
        pci(NIC).raise(0);
        assertEquals(List.of(irqs[1] + "@1", irqs[0] + "@0"), handled);
        assertEquals(0, machine.lostMessages());
    }

    @Test
    void anAffinityChangeRewritesTheMessageToTheNewHartAndFreesTheOldIdentity() {
        int irq = domain.allocate(NIC, 1, "msix")[0];
        count(irq);
        assertEquals(0, info(irq).cpu());
        domain.setAffinity(irq, 3);
        IrqInfo moved = info(irq);
        assertEquals(3, moved.cpu());
        assertEquals(2, moved.vector());
        int[] e = entry(0);
        assertEquals((int) (BASE + 3 * STRIDE), e[0]);
        assertEquals(2, e[2]);
        assertEquals(0, e[3] & 1, "unmasked again after the masked rewrite");
        assertTrue(imsic.enabled(3, 2), "the new identity took the old one's enable");
        assertFalse(imsic.enabled(0, 2), "the old identity is disabled");
        assertEquals(0, parent.used(0), "and freed");
        pci(NIC).raise(0);
        assertEquals(List.of(irq + "@3"), handled);
    }

    @Test
    void aMessageSentWithTheOldContentDuringAMoveIsCarriedToTheNewIdentityOnce() {
        PciFunction nic = pci(NIC);
        int irq = domain.allocate(NIC, 1, "msix")[0];
        count(irq);
        AtomicInteger stale = new AtomicInteger();
        // Between the device's register writes of the move, a message posted with the old content (hart 0,
        // identity 2) reaches the old file: before the parent retargets it is delivered there, after it the old
        // identity is disabled and its eip bit must reach the new identity when the old one is released.
        nic.setWriteObserver(() -> {
            machine.injectMessage(BASE, 2, null);
            stale.incrementAndGet();
        });
        domain.setAffinity(irq, 2);
        nic.setWriteObserver(null);
        assertTrue(stale.get() >= 3, "mask, address/data, unmask: " + stale.get());
        long onOld = handled.stream().filter(h -> h.endsWith("@0")).count();
        long onNew = handled.stream().filter(h -> h.endsWith("@2")).count();
        assertEquals(1, onNew, "the held old-identity messages reach the new hart, merged in one eip bit");
        assertEquals(stale.get(), onOld + onNew + machine.coalescedMessages(), "nothing lost: " + handled);
        assertFalse(imsic.pending(0, 2), "nothing left in the old file");
        assertEquals(0, machine.lostMessages());
    }

    @Test
    void maskingAtTheIdentityLatchesAnEventAndDeliversItOnceOnUnmask() {
        PciFunction ahci = pci(AHCI);
        int irq = domain.allocate(AHCI, 1)[0];
        count(irq);
        IrqInfo info = info(irq);
        int msi = 0x80;
        assertEquals((int) (BASE + info.cpu() * STRIDE), ahci.pciConfig().read32(msi + 4), "Message Address");
        assertEquals(info.vector(), ahci.pciConfig().read16(msi + 8), "Message Data (32-bit layout)");
        domain.mask(irq);
        assertFalse(imsic.enabled(info.cpu(), info.vector()), "eie cleared: the device cannot mask");
        ahci.raise(0);
        ahci.raise(0);
        assertEquals(List.of(), handled);
        assertTrue(imsic.pending(info.cpu(), info.vector()), "held in the file's eip bit");
        domain.unmask(irq);
        assertEquals(List.of(irq + "@" + info.cpu()), handled, "delivered once");
        assertEquals(1, machine.coalescedMessages(), "the second raise merged in the eip bit");
    }

    @Test
    void pciMsiIsMaskedAtTheSourceAndAtTheIdentity() {
        PciFunction plx = pci(PLX);
        int irq = domain.allocate(PLX, 1, "msi")[0];
        count(irq);
        IrqInfo info = info(irq);
        domain.mask(irq);
        assertEquals(1, plx.pciConfig().read32(0x48 + 0x10) & 1, "mask bit set at the source");
        assertFalse(imsic.enabled(info.cpu(), info.vector()), "and eie cleared (MSI_FLAG_PCI_MSI_MASK_PARENT)");
        plx.raise(0);
        assertEquals(List.of(), handled);
        domain.unmask(irq);
        assertTrue(imsic.enabled(info.cpu(), info.vector()));
        assertEquals(List.of(irq + "@" + info.cpu()), handled, "latched at the source, delivered once");
    }

    @Test
    void aNonMaskableMsiMovesThroughTheInterimMessageAndLosesNothing() {
        PciFunction ahci = pci(AHCI);
        int other = domain.allocate(NIC, 1, "msix")[0]; // takes identity 2 on hart 0
        domain.setAffinity(other, 1);                     // ... now identity 2 of hart 1
        int irq = domain.allocate(AHCI, 1)[0];
        count(irq);
        domain.setAffinity(irq, 1); // identity 3 of hart 1
        IrqInfo before = info(irq);
        assertEquals(1, before.cpu());
        assertEquals(3, before.vector());
        List<int[]> states = new CopyOnWriteArrayList<>();
        AtomicInteger raised = new AtomicInteger();
        ahci.setWriteObserver(() -> {
            states.add(new int[] { ahci.pciConfig().read32(0x84), ahci.pciConfig().read16(0x88) });
            ahci.raise(0); // between every pair of register writes
            raised.incrementAndGet();
        });
        domain.setAffinity(irq, 3);
        ahci.setWriteObserver(null);
        IrqInfo after = info(irq);
        assertEquals(3, after.cpu());
        int oldFile = (int) (BASE + STRIDE);
        int newFile = (int) (BASE + 3 * STRIDE);
        for (int[] s : states) {
            boolean oldOld = s[0] == oldFile && s[1] == 3;
            boolean interim = s[0] == oldFile && s[1] == after.vector();
            boolean newNew = s[0] == newFile && s[1] == after.vector();
            assertTrue(oldOld || interim || newNew, "never (new hart, old identity)");
        }
        assertTrue(states.stream().anyMatch(s -> s[0] == oldFile && s[1] == after.vector()), "the interim was used");
        assertTrue(after.vector() != 2, "the interim identity is free on the old hart (2 is the NIC's there)");
        assertEquals(raised.get(), handled.size() + machine.coalescedMessages(), "nothing lost: " + handled);
        assertTrue(handled.contains(irq + "@3"), "interim messages retriggered on the new hart");
        assertEquals(0, machine.lostMessages());
        assertEquals(0, domain.spurious(1) + domain.spurious(3));
        assertFalse(imsic.pending(1, after.vector()) || imsic.pending(1, 3), "nothing left on the old hart");
        ahci.raise(0);
        assertEquals(raised.get() + 1, handled.size() + machine.coalescedMessages());
    }

    @Test
    void aNonMaskableMsiThatKeepsItsIdentityMovesWithoutAnInterim() {
        PciFunction ahci = pci(AHCI);
        int irq = domain.allocate(AHCI, 1)[0];
        count(irq);
        assertEquals(0, info(irq).cpu());
        List<int[]> states = new CopyOnWriteArrayList<>();
        ahci.setWriteObserver(() -> {
            states.add(new int[] { ahci.pciConfig().read32(0x84), ahci.pciConfig().read16(0x88) });
            ahci.raise(0);
        });
        domain.setAffinity(irq, 2);
        ahci.setWriteObserver(null);
        // imsic_irq_set_affinity writes no interim when the new identity is the old one: only the address changes
        assertEquals(2, info(irq).vector());
        assertTrue(states.stream().allMatch(s -> s[1] == 2), "the data never changed");
        assertEquals(states.size(), handled.size() + machine.coalescedMessages(), "nothing lost: " + handled);
        assertEquals(0, machine.lostMessages());
    }

    @Test
    void aHartGoingOfflineHandsItsInterruptsOverWithWhatReachedItMeanwhile() {
        PciFunction nic = pci(NIC);
        int irq = domain.allocate(NIC, 1, "msix")[0];
        count(irq);
        domain.setAffinity(irq, 2);
        AtomicInteger stale = new AtomicInteger();
        // messages with the old content at every device write of the migration: the first ones find the identity
        // enabled (the dying hart has interrupts off: requested there), the later ones disabled (pending in eip)
        nic.setWriteObserver(() -> {
            machine.injectMessage(BASE + 2 * STRIDE, 2, null);
            stale.incrementAndGet();
        });
        domain.cpuOffline(2);
        nic.setWriteObserver(null);
        IrqInfo moved = info(irq);
        assertTrue(moved.cpu() != 2);
        assertEquals((int) (BASE + moved.cpu() * STRIDE), entry(0)[0]);
        assertTrue(stale.get() >= 2, "writes during the migration: " + stale.get());
        assertTrue(handled.stream().noneMatch(h -> h.endsWith("@2")), "nothing handled on the offline hart");
        assertEquals(stale.get(), handled.size() + machine.coalescedMessages(), "nothing lost: " + handled);
        assertTrue(handled.size() >= 1);
        assertEquals(0, parent.used(2), "every identity of the dying hart freed");
        java.util.BitSet onlyTwo = java.util.BitSet.valueOf(new long[] { 1L << 2 });
        assertEquals(-1, parent.bestCpu(null, onlyTwo), "it takes none");
        domain.cpuOnline(2);
        assertEquals(2, parent.bestCpu(null, onlyTwo), "online again: it takes identities");
        nic.raise(0);
        assertEquals(irq + "@" + moved.cpu(), handled.get(handled.size() - 1));
    }

    @Test
    void freeingDisablesAndFreesTheIdentitySoAStaleWriteReachesNoHandler() {
        int irq = domain.allocate(NIC, 1, "msix")[0];
        count(irq);
        domain.free(NIC);
        assertEquals(0, parent.used(0));
        assertFalse(imsic.enabled(0, 2), "eie cleared");
        assertEquals("held pending in hart 0's file: identity 2 is disabled", machine.injectMessage(BASE, 2, null));
        assertEquals(List.of(), handled);
        int again = domain.allocate(NIC, 1, "msix")[0];
        assertEquals(2, info(again).vector(), "the identity is handed out again");
        assertFalse(imsic.pending(0, 2), "without the stale event: a fresh identity starts clean");
    }

    @Test
    void multiMessageMsiIsRefusedInOneLineNamingTheImsic() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> domain.allocate(PLX, 4, "msi"));
        assertTrue(refused.getMessage().contains("multi-message MSI is not supported by the IMSIC"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
        assertTrue(domain.irqs().isEmpty());
    }

    @Test
    void aPlatformDeviceIsProgrammedWithAHartsFileAndMaskedAtTheIdentity() {
        HwDevice ims = machine.device("ims0").orElseThrow();
        int irq = domain.allocate("ims0", 1)[0];
        count(irq);
        IrqInfo info = info(irq);
        assertEquals(BASE + info.cpu() * STRIDE, info.msg().address());
        assertEquals(info.vector(), info.msg().data());
        domain.mask(irq);
        assertFalse(imsic.enabled(info.cpu(), info.vector()));
        ims.raise(0);
        domain.unmask(irq);
        assertEquals(List.of(irq + "@" + info.cpu()), handled);
    }
}
