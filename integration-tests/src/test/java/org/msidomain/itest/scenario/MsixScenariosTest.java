package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.pci.MsixModel;
import org.msidomain.hw.internal.pci.PciFunction;

/** Scenarios 1-4, 6, 8, 11, 12 and 24 of the reference (section 9) on real MSI-X devices. */
class MsixScenariosTest {

    private static final String NIC = "00:04.0"; // virtio-net: MSI-X cap [98], 4 entries, table BAR0+0x8000, PBA BAR0+0x48000
    private static final int CAP = 0x98;
    private static final long TABLE = 0x8000;
    private static final long PBA = 0x48000;

    private Rig rig;
    private PciFunction nic;
    private MsixModel msix;

    @BeforeEach
    void boot() throws InterruptedException {
        rig = new Rig();
        nic = rig.pci(NIC);
        msix = nic.msix().orElseThrow();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private Mmio bar() {
        return nic.region(0);
    }

    @Test
    void scenario1PendingLatchDeliversOnceWithTheCurrentMessage() {
        int irq = rig.domain.allocate(NIC, 4)[1];
        rig.count(irq);
        rig.domain.mask(irq);
        assertEquals(1, bar().read32(TABLE + 16 + 12) & 1, "entry mask bit set");
        nic.raise(1);
        assertEquals(0, rig.handled.get(), "no message while masked");
        assertTrue(msix.pending(1), "PBA bit set");
        assertEquals(2, bar().read32(PBA), "PBA bit 1 visible through the BAR");
        rig.domain.setAffinity(irq, 3); // the message changes while pending
        rig.domain.unmask(irq);
        assertEquals(1, rig.handled.get(), "exactly one message on unmask");
        assertEquals(Long.valueOf(1), rig.info(irq).counts().get(3), "sent with the current message (CPU 3)");
        assertFalse(msix.pending(1), "PBA bit cleared");
    }

    @Test
    void scenario2ThreeRaisesWhileMaskedCoalesce() {
        int irq = rig.domain.allocate(NIC, 2)[0];
        rig.count(irq);
        rig.domain.mask(irq);
        nic.raise(0);
        nic.raise(0);
        nic.raise(0);
        rig.domain.unmask(irq);
        assertEquals(1, rig.handled.get());
    }

    @Test
    void scenario3FunctionMaskLatchesEveryVector() {
        int[] irqs = rig.domain.allocate(NIC, 2);
        rig.count(irqs[0]);
        rig.count(irqs[1]);
        rig.domain.mask(irqs[1]);
        int ctrl = nic.pciConfig().read16(CAP + 2);
        nic.pciConfig().write16(CAP + 2, ctrl | 0x4000); // Function Mask
        nic.raise(0);
        nic.raise(1);
        assertEquals(0, rig.handled.get());
        assertTrue(msix.pending(0) && msix.pending(1));
        nic.pciConfig().write16(CAP + 2, ctrl & ~0x4000);
        assertEquals(1, rig.handled.get(), "vector 0 delivered when Function Mask clears");
        assertTrue(msix.pending(1), "vector 1 is still masked by its own bit");
        rig.domain.unmask(irqs[1]);
        assertEquals(2, rig.handled.get());
        assertEquals(1, rig.total(irqs[1]));
    }

    @Test
    void scenario4ServicingClearsThePendingBit() {
        int irq = rig.domain.allocate(NIC, 1)[0];
        rig.count(irq);
        rig.domain.mask(irq);
        nic.raise(0);
        assertTrue(msix.pending(0));
        msix.service(0); // the driver polled the device
        assertFalse(msix.pending(0));
        rig.domain.unmask(irq);
        assertEquals(0, rig.handled.get(), "no stale message");
    }

    @Test
    void scenario6AnUpdateOfAnUnmaskedEntryIsDoneMaskedAndNeverMixesMessages() {
        int irq = rig.domain.allocate(NIC, 4)[2];
        rig.count(irq);
        IrqInfo before = rig.info(irq);
        List<int[]> states = new ArrayList<>();
        nic.setWriteObserver(() -> {
            states.add(new int[] { bar().read32(TABLE + 32), bar().read32(TABLE + 40), bar().read32(TABLE + 44) });
            nic.raise(2); // the device fires between every two register writes
        });
        rig.domain.setAffinity(irq, (before.cpu() + 1) % 4);
        nic.setWriteObserver(null);
        IrqInfo after = rig.info(irq);
        for (int[] s : states) {
            boolean unmasked = (s[2] & 1) == 0;
            boolean old = ((s[0] >>> 12) & 0xFF) == before.cpu() && (s[1] & 0xFF) == before.vector();
            boolean neu = ((s[0] >>> 12) & 0xFF) == after.cpu() && (s[1] & 0xFF) == after.vector();
            assertTrue(!unmasked || old || neu, "an unmasked entry held a mixed message");
        }
        assertEquals(5, states.size(), "mask, address lo, address hi, data, restore control");
        // Raises during the masked update (after the mask, lo, hi and data writes) latch in one PBA bit,
        // delivered once by the restore of the control word; the raise after the restore goes directly.
        assertEquals(2, rig.handled.get(), "one latched delivery plus one direct");
        assertEquals(Long.valueOf(2), after.counts().get(after.cpu()), "both with the new message");
        assertEquals(0, rig.spurious());
        assertEquals(after.cpu(), (bar().read32(TABLE + 32) >>> 12) & 0xFF);
    }

    @Test
    void scenario8MaskableStorageTakesTheDirectPath() {
        int irq = rig.domain.allocate(NIC, 1)[0];
        rig.count(irq); // requested: started with a real vector
        IrqInfo before = rig.info(irq);
        List<Integer> data = new ArrayList<>();
        nic.setWriteObserver(() -> data.add(bar().read32(TABLE + 8) & 0xFF));
        rig.domain.setAffinity(irq, (before.cpu() + 2) % 4);
        nic.setWriteObserver(null);
        int newVector = rig.info(irq).vector();
        // one compose+write: the data goes from the old vector straight to the new, never via an interim one
        assertEquals(List.of(before.vector(), before.vector(), before.vector(), newVector, newVector), data);
    }

    @Test
    void scenario11TableAndPbaGeometry() throws InterruptedException {
        PciFunction cx3 = rig.pci("03:00.0"); // ConnectX-3: MSI-X cap [9c], 256 entries, table BAR0+0x7c000, PBA BAR0+0x7d000
        MsixModel m = cx3.msix().orElseThrow();
        assertEquals(256, m.size(), "table size = control[10:0] + 1");
        for (int k : new int[] { 0, 63, 64, 255 }) {
            assertEquals(1, cx3.region(0).read32(0x7c000 + 16L * k + 12) & 1, "entry " + k + " resets masked");
        }
        int[] irqs = rig.domain.allocate("03:00.0", 70);
        rig.domain.mask(irqs[65]);
        cx3.raise(65);
        assertEquals(0, cx3.region(0).read32(0x7d000), "bits 0-31 clear");
        assertEquals(1 << 1, cx3.region(0).read32(0x7d000 + 8), "bit 65 = QWORD 1, bit 1");
        cx3.region(0).write32(0x7d000 + 8, 0);
        assertTrue(m.pending(65), "PBA writes are ignored");
        int[] entry = { cx3.region(0).read32(0x7c000 + 16 * 65), cx3.region(0).read32(0x7c000 + 16 * 65 + 8) };
        IrqInfo info = rig.info(irqs[65]);
        assertEquals(Sdm.addressLo(rig.machine.apicId(info.cpu())), entry[0], "entry k at table + 16k");
        assertEquals(Sdm.data(info.vector()), entry[1]);
    }

    @Test
    void scenario12EnableSequenceNeverExposesAHalfProgrammedTable() {
        List<String> unsafe = new ArrayList<>();
        nic.setWriteObserver(() -> {
            int ctrl = nic.pciConfig().read16(CAP + 2);
            boolean live = (ctrl & 0x8000) != 0 && (ctrl & 0x4000) == 0;
            for (int k = 0; k < 4 && live; k++) {
                int vctl = bar().read32(TABLE + 16L * k + 12);
                int lo = bar().read32(TABLE + 16L * k);
                if ((vctl & 1) == 0 && (lo >>> 20) != 0xFEE) {
                    unsafe.add("entry " + k + " live without a message");
                }
            }
        });
        rig.domain.allocate(NIC, 4);
        assertTrue(unsafe.isEmpty(), unsafe.toString());
        int ctrl = nic.pciConfig().read16(CAP + 2);
        assertEquals(0x8000, ctrl & 0xC000, "enabled, Function Mask cleared at the end");

        List<String> order = new ArrayList<>();
        nic.setWriteObserver(() -> order.add(((nic.pciConfig().read16(CAP + 2) & 0x8000) != 0 ? "E" : "e")
                + (bar().read32(TABLE + 12) & 1)));
        rig.domain.free(NIC);
        nic.setWriteObserver(null);
        // the last two writes: Enable cleared, then Interrupt Disable cleared (pci_msix_shutdown's pci_intx_for_msi)
        assertEquals(List.of("e1", "e1"), order.subList(order.size() - 2, order.size()),
                "disable: entries masked, then Enable cleared, then the Command register");
        assertTrue(order.subList(0, order.size() - 2).stream().allMatch(s -> s.startsWith("E")));
        assertEquals(0, nic.pciConfig().read16(0x04) & 0x400, "DisINTx cleared last");
    }

    @Test
    void scenario15WritesOutsideD0CacheOnlyAndRestoreRebuildsTheDevice() {
        PciFunction lsi = rig.pci("04:00.0"); // PM [50] (PMCSR at 0x54, No_Soft_Reset set), MSI-X [c0] 15, table BAR1+0x2000
        int[] irqs = rig.domain.allocate("04:00.0", 3);
        for (int irq : irqs) {
            rig.count(irq);
        }
        rig.domain.mask(irqs[1]);
        Mmio bar = lsi.region(1);
        int[] before = entries(bar);
        int ctrl = lsi.pciConfig().read16(0xc0 + 2);

        for (boolean softReset : new boolean[] { false, true }) {
            if (softReset) {
                lsi.pciConfig().poke32(0x54, lsi.pciConfig().read32(0x54) & ~0x8); // a function that does reset
            }
            lsi.pciConfig().write16(0x54, 3); // D3hot
            assertEquals(3, lsi.powerState());
            int from = rig.info(irqs[0]).cpu();
            rig.domain.setAffinity(irqs[0], (from + 1) % 4); // written while suspended: cached only
            lsi.raise(0);
            assertEquals(1, lsi.suppressedInLowPower() - (softReset ? 1 : 0), "no message outside D0");
            lsi.pciConfig().write16(0x54, 0); // D0
            if (softReset) {
                assertEquals(0, lsi.pciConfig().read16(0xc0 + 2) & 0x8000, "the reset disabled MSI-X");
                assertEquals(0, bar.read32(0x2000), "and cleared the table");
            }
            rig.domain.restore("04:00.0");
            int[] after = entries(bar);
            IrqInfo moved = rig.info(irqs[0]);
            assertEquals(Sdm.addressLo(rig.machine.apicId(moved.cpu())), after[0],
                    "entry 0 holds the message composed while suspended");
            assertEquals(Sdm.data(moved.vector()), after[2]);
            for (int i = 4; i < before.length; i++) {
                assertEquals(before[i], after[i], "entries 1 and 2 as before suspend (word " + i + ")");
            }
            assertEquals(ctrl, lsi.pciConfig().read16(0xc0 + 2), "enabled, Function Mask clear, as before");
            long handled = rig.handled.get();
            lsi.raise(0);
            assertEquals(handled + 1, rig.handled.get());
            assertEquals(Long.valueOf(1), rig.info(irqs[0]).counts().get(moved.cpu()), "on the CPU chosen while suspended");
            before = after;
        }
    }

    /**
     * A restore after a function reset rewrites MSI-X as Linux's {@code __pci_restore_msix_state}: Control =
     * Enable | Function Mask before the first entry write, every message, each entry's mask from the domain's
     * state (not the control word cached before the reset), Function Mask cleared after the last write.
     */
    @Test
    void restoreAfterAResetHoldsFunctionMaskWhileTheTableIsRewritten() {
        PciFunction lsi = rig.pci("04:00.0"); // PM [50] (PMCSR at 0x54), MSI-X [c0], table BAR1+0x2000
        int[] irqs = rig.domain.allocate("04:00.0", 3);
        for (int irq : irqs) {
            rig.count(irq);
        }
        rig.domain.mask(irqs[1]);
        Mmio bar = lsi.region(1);
        int[] programmed = entries(bar);
        lsi.pciConfig().poke32(0x54, lsi.pciConfig().read32(0x54) & ~0x8); // No_Soft_Reset clear
        lsi.pciConfig().write16(0x54, 3); // D3hot
        lsi.pciConfig().write16(0x54, 0); // D0: the function resets
        int[] reset = entries(bar);
        assertEquals(0, lsi.pciConfig().read16(0xc0 + 2) & 0xC000, "reset: Enable and Function Mask clear");
        for (int k = 0; k < 3; k++) {
            assertEquals(1, reset[4 * k + 3], "reset: entry " + k + " masked and zero");
        }

        List<int[]> writes = new ArrayList<>(); // after each write: Control, then entries 0-2
        lsi.setWriteObserver(() -> {
            int[] e = entries(bar);
            int[] w = new int[13];
            w[0] = lsi.pciConfig().read16(0xc0 + 2);
            System.arraycopy(e, 0, w, 1, 12);
            writes.add(w);
        });
        rig.domain.restore("04:00.0");
        lsi.setWriteObserver(null);

        int first = -1;
        int last = -1;
        int[] previous = reset;
        for (int i = 0; i < writes.size(); i++) {
            int[] table = java.util.Arrays.copyOfRange(writes.get(i), 1, 13);
            if (!java.util.Arrays.equals(table, previous)) {
                first = first < 0 ? i : first;
                last = i;
            }
            previous = table;
        }
        assertTrue(first >= 0, "the restore rewrote the table");
        assertEquals(0xC000, writes.get(first)[0] & 0xC000, "Enable and Function Mask set before the first entry write");
        assertEquals(0xC000, writes.get(last)[0] & 0xC000, "Function Mask still set at the last entry write");
        assertEquals(0x8000, lsi.pciConfig().read16(0xc0 + 2) & 0xC000, "then Function Mask cleared, Enable kept");

        int[] after = entries(bar);
        for (int k = 0; k < 3; k++) {
            assertEquals(programmed[4 * k], after[4 * k], "entry " + k + " address as programmed");
            assertEquals(programmed[4 * k + 2], after[4 * k + 2], "entry " + k + " data as programmed");
            assertEquals(k == 1 ? 1 : 0, after[4 * k + 3] & 1, "entry " + k + " mask bit is the domain's mask state");
        }

        lsi.raise(0);
        lsi.raise(2);
        assertEquals(2, rig.handled.get(), "each unmasked vector delivered once");
        lsi.raise(1);
        assertEquals(2, rig.handled.get(), "the masked one latched");
        assertTrue(lsi.msix().orElseThrow().pending(1), "its PBA bit set");
        rig.domain.unmask(irqs[1]);
        assertEquals(3, rig.handled.get(), "delivered once on unmask");
        assertEquals(0, rig.spurious());
    }

    /**
     * A restore without a reset (a resume where the function kept its state) rewrites MSI-X as Linux's
     * {@code __pci_restore_msix_state} does whatever the function's state: Control = Enable | Function Mask before
     * the first entry write, every entry's message and control word, Function Mask cleared after the last; an event
     * meanwhile latches and is sent once when Function Mask clears (PCIe r6 6.1.4.5).
     */
    @Test
    void restoreWithoutAResetHoldsFunctionMaskWhileEveryEntryIsRewritten() {
        PciFunction lsi = rig.pci("04:00.0"); // MSI-X [c0], table BAR1+0x2000
        int[] irqs = rig.domain.allocate("04:00.0", 3);
        for (int irq : irqs) {
            rig.count(irq);
        }
        rig.domain.mask(irqs[1]);
        Mmio bar = lsi.region(1);
        int[] programmed = entries(bar);
        int control = lsi.pciConfig().read16(0xc0 + 2);
        assertEquals(0x8000, control & 0xC000, "enabled, Function Mask clear");

        List<Integer> controls = new ArrayList<>(); // Control after each write of the restore
        long[] whileHeld = { -1 };
        lsi.setWriteObserver(() -> {
            int c = lsi.pciConfig().read16(0xc0 + 2);
            controls.add(c);
            if (whileHeld[0] < 0 && (c & 0x4000) != 0) {
                lsi.raise(0); // the device raises while the table is held
                whileHeld[0] = rig.handled.get();
            }
        });
        rig.domain.restore("04:00.0");
        lsi.setWriteObserver(null);

        assertEquals(0xC000, controls.get(0) & 0xC000, "the first write sets Enable and Function Mask");
        int cleared = controls.indexOf(controls.stream().filter(c -> (c & 0x4000) == 0).findFirst().orElse(-1));
        assertTrue(cleared > 0, "Function Mask cleared at the end");
        assertTrue(controls.subList(cleared, controls.size()).stream().allMatch(c -> (c & 0x4000) == 0),
                "and not set again");
        assertTrue(cleared - 1 >= 3 * 4, "under Function Mask: each entry's address lo, hi, data and control ("
                + (cleared - 1) + " writes)");
        assertEquals(0, whileHeld[0], "the raise under Function Mask latched");
        assertEquals(1, rig.handled.get(), "and was sent once when Function Mask cleared");
        assertEquals(control, lsi.pciConfig().read16(0xc0 + 2), "Control as before");
        int[] after = entries(bar);
        for (int i = 0; i < after.length; i++) {
            assertEquals(programmed[i], after[i], "table word " + i + " as before: messages and the domain's masks");
        }
        lsi.raise(1);
        assertEquals(1, rig.handled.get(), "the masked vector latches");
        lsi.raise(2);
        assertEquals(2, rig.handled.get());
        assertEquals(0, rig.spurious());
    }

    /**
     * A restore after a reset writes no vector control word the storage cached before it: the reset cleared each
     * entry's steering tag (bits 31:16) and set its mask bit, and the restore starts from that, with the domain's
     * mask state (PCIe r6 7.7.2.5: Vector Control after reset = 1).
     */
    @Test
    void restoreAfterAResetWritesNoControlWordCachedBeforeIt() {
        PciFunction lsi = rig.pci("04:00.0"); // PM [50] (PMCSR at 0x54), MSI-X [c0], table BAR1+0x2000
        Mmio bar = lsi.region(1);
        for (int k = 0; k < 3; k++) {
            bar.write32(0x2000 + 16L * k + 12, 0x5A5A_0001); // a steering tag in each entry before the driver comes
        }
        int[] irqs = rig.domain.allocate("04:00.0", 3);
        for (int irq : irqs) {
            rig.count(irq);
        }
        rig.domain.mask(irqs[1]);
        assertEquals(0x5A5A_0000, bar.read32(0x2000 + 12), "entry 0 unmasked, its steering tag kept");
        lsi.pciConfig().poke32(0x54, lsi.pciConfig().read32(0x54) & ~0x8); // No_Soft_Reset clear
        lsi.pciConfig().write16(0x54, 3); // D3hot
        lsi.pciConfig().write16(0x54, 0); // D0: the function resets
        for (int k = 0; k < 3; k++) {
            assertEquals(1, bar.read32(0x2000 + 16L * k + 12), "reset: entry " + k + " control = 1");
        }

        List<int[]> controls = new ArrayList<>(); // the three control words after each write
        lsi.setWriteObserver(() -> controls.add(new int[] { bar.read32(0x200C), bar.read32(0x201C), bar.read32(0x202C) }));
        rig.domain.restore("04:00.0");
        lsi.setWriteObserver(null);

        assertFalse(controls.isEmpty());
        for (int[] c : controls) {
            for (int k = 0; k < 3; k++) {
                assertEquals(0, c[k] >>> 16, "entry " + k + ": no steering tag from before the reset written back");
            }
        }
        assertEquals(0, bar.read32(0x200C), "entry 0: unmasked, as the domain wants");
        assertEquals(1, bar.read32(0x201C), "entry 1: masked, as the domain wants");
        assertEquals(0, bar.read32(0x202C));
        lsi.raise(0);
        lsi.raise(1);
        assertEquals(1, rig.handled.get(), "the unmasked vector delivers, the masked one latches");
        rig.domain.unmask(irqs[1]);
        assertEquals(2, rig.handled.get());
        assertEquals(0, rig.spurious());
    }

    /** Entries 0-2 of the LSI's MSI-X table: lo, hi, data, control each. */
    private static int[] entries(Mmio bar) {
        int[] words = new int[12];
        for (int i = 0; i < 12; i++) {
            words[i] = bar.read32(0x2000 + 4L * i);
        }
        return words;
    }

    @Test
    void scenario24DynamicMsixAddsAndFreesWithoutDisturbingLiveVectors() {
        int[] live = rig.domain.allocate(NIC, 2);
        rig.count(live[0]);
        rig.count(live[1]);
        List<Integer> controls = new ArrayList<>();
        nic.setWriteObserver(() -> controls.add(nic.pciConfig().read16(CAP + 2)));
        int at5 = rig.domain.allocateAt(NIC, 3);
        int any = rig.domain.allocateAt(NIC, -1);
        nic.setWriteObserver(null);
        assertEquals(3, rig.info(at5).index());
        assertEquals(2, rig.info(any).index(), "MSI_ANY_INDEX takes the first free entry");
        assertTrue(controls.stream().allMatch(c -> (c & 0x8000) != 0), "MSI-X never disabled");
        nic.raise(0);
        nic.raise(1);
        rig.domain.freeIrq(at5);
        nic.raise(0);
        assertEquals(3, rig.handled.get(), "live vectors kept working");
        assertEquals(1, bar().read32(TABLE + 48 + 12) & 1, "a freed entry is masked");
        assertEquals(0, bar().read32(TABLE + 48), "and its message zeroed");
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> rig.domain.allocateAt(NIC, 4));
        assertTrue(beyond.getMessage().contains("beyond"), beyond.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rig.domain.allocateAt(NIC, 1), "index in use");
    }
}
