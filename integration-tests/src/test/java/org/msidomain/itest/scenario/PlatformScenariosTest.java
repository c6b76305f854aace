package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.hpet.HpetBlock;
import org.msidomain.hw.internal.platform.QueuedDevice;
import org.msidomain.hw.internal.platform.SlotDevice;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageRequest;

/** Scenarios 16, 17, 18, 20 and 23 of the reference (section 9): HPET, DMAR, bus-locked and platform storage. */
class PlatformScenariosTest {

    private PlatformRig rig;

    @BeforeEach
    void boot() throws Exception {
        rig = new PlatformRig();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void scenario16HpetFsbRouteMaskAndLostEvents() {
        HpetBlock hpet = rig.machine.model("hpet", HpetBlock.class).orElseThrow();
        Mmio regs = hpet.region(0);
        IllegalArgumentException noFsb = assertThrows(IllegalArgumentException.class, () -> rig.domain.allocateAt("hpet", 1));
        assertEquals("hpet: timer 1 cannot deliver by FSB message (Tn_FSB_INT_DEL_CAP clear)", noFsb.getMessage());
        int irq = rig.domain.allocateAt("hpet", 4);
        rig.count(irq);
        IrqInfo info = rig.info(irq);
        assertEquals(Sdm.data(info.vector()), regs.read32(0x110 + 0x20 * 4), "data in the ROUTE low dword");
        assertEquals(Sdm.addressLo(rig.machine.apicId(info.cpu())), regs.read32(0x114 + 0x20 * 4),
                "address in the ROUTE high dword");
        int cfg = regs.read32(0x100 + 0x20 * 4);
        assertEquals((1 << 2) | (1 << 14), cfg & ((1 << 2) | (1 << 14)), "unmasked: INT_ENB and FSB_EN set");
        hpet.raise(4);
        assertEquals(1, rig.handled.get());

        rig.domain.mask(irq);
        assertEquals(0, regs.read32(0x100 + 0x20 * 4) & ((1 << 2) | (1 << 14)), "mask clears INT_ENB and FSB_EN");
        hpet.raise(4);
        hpet.raise(4);
        rig.domain.unmask(irq);
        assertEquals(1, rig.handled.get(), "comparator matches while masked are lost, not latched");
        assertEquals(2, hpet.lostWhileDisabled());
        assertEquals("HPET-MSI", info.chip());
        assertEquals(4, info.index(), "hwirq = channel");
    }

    @Test
    void scenario17DmarMaskPendingAndStatusEpisodes() {
        HwDevice dmar = rig.machine.device("dmar0").orElseThrow();
        Mmio regs = dmar.region(0);
        int[] irqs = rig.domain.allocate("dmar0", 3);
        for (int irq : irqs) {
            rig.count(irq);
        }
        IrqInfo inv = rig.info(irqs[1]);
        assertEquals(Sdm.data(inv.vector()), regs.read32(0xA4), "invalidation event: IEDATA");
        assertEquals(Sdm.dmarAddressLo(rig.machine.apicId(inv.cpu())), regs.read32(0xA8), "IEADDR");
        assertEquals(Sdm.dmarAddressHi(rig.machine.apicId(inv.cpu())), regs.read32(0xAC), "IEUADDR");
        assertEquals("DMAR-MSI", inv.chip());

        rig.domain.mask(irqs[0]);
        assertEquals(1 << 31, regs.read32(0x38), "mask = IM set");
        dmar.raise(0);
        assertEquals((1 << 31) | (1 << 30), regs.read32(0x38), "held: IM and IP");
        dmar.raise(0);
        rig.domain.unmask(irqs[0]);
        assertEquals(1, rig.handled.get(), "delivered exactly once when IM clears");
        assertEquals(0, regs.read32(0x38));
        dmar.raise(0);
        assertEquals(1, rig.handled.get(), "no new message while FSTS still has a status bit");
        regs.write32(0x34, -1); // the fault handler clears FSTS
        dmar.raise(0);
        assertEquals(2, rig.handled.get());

        regs.write32(0x34, -1);
        rig.domain.mask(irqs[0]);
        dmar.raise(0);
        regs.write32(0x34, -1); // serviced while masked: the held message is dropped
        assertEquals(1 << 31, regs.read32(0x38), "IP cleared by servicing");
        rig.domain.unmask(irqs[0]);
        assertEquals(2, rig.handled.get(), "nothing sent on unmask");
    }

    @Test
    void scenario18DmarReachesApicIdsAbove255AndPciCannotWithoutRemapping() {
        Mmio regs = rig.machine.device("dmar0").orElseThrow().region(0);
        int fault = rig.domain.allocate("dmar0", 1)[0];
        rig.count(fault);
        rig.domain.setAffinity(fault, 2); // CPU 2 has x2APIC id 300 = 0x12C
        assertEquals(0x100, regs.read32(0x44), "FEUADDR holds destination bits 31:8");
        assertEquals(0xFEE2C000, regs.read32(0x40), "FEADDR holds destination bits 7:0");
        rig.machine.device("dmar0").orElseThrow().raise(0);
        assertEquals(List.of(0L, 0L, 1L, 0L), rig.info(fault).counts(), "delivered to the x2APIC CPU");

        int pci = rig.domain.allocate("00:04.0", 1)[0];
        rig.count(pci);
        IrqInfo before = rig.info(pci);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rig.domain.setAffinity(pci, 2));
        assertTrue(e.getMessage().contains("APIC id 300 cannot be expressed"), e.getMessage());
        assertEquals(before.cpu(), rig.info(pci).cpu(), "state unchanged");
        assertEquals(before.msg(), rig.info(pci).msg());
    }

    @Test
    void scenario20BusLockedStorageRecordsAndPushesOnceAtUnlock() {
        QueuedDevice queue = rig.machine.model("queue0", QueuedDevice.class).orElseThrow();
        int before = queue.completed();
        int[] irqs = rig.domain.allocate("queue0", 4);
        // each slot got its (reservation) message and its mask under one bus lock: one command per slot
        assertEquals(before + 4, queue.completed());
        rig.count(irqs[2]);
        assertEquals(before + 5, queue.completed(), "startup: the real message and the unmask in one command");
        queue.raise(2);
        assertEquals(1, rig.handled.get());
        int target = rig.info(irqs[2]).cpu() == 3 ? 0 : 3; // CPU 2 (x2APIC id 300) is out of reach
        rig.domain.setAffinity(irqs[2], target);
        assertEquals(before + 6, queue.completed(), "the masked update of a live slot is one command");
        queue.raise(2);
        assertEquals(Long.valueOf(1), rig.info(irqs[2]).counts().get(target));
    }

    @Test
    void scenario20TheDeviceSeesNothingBeforeUnlock() {
        QueuedDevice queue = rig.machine.model("queue0", QueuedDevice.class).orElseThrow();
        MsiStorage storage = new PlatformStorageOps().createStorage(queue, new StorageRequest(1));
        MsiDescView slot1 = new Desc(1);
        int before = queue.completed();
        storage.lock();
        storage.writeMsg(slot1, new MsiMsg(0xFEE01000, 0, 0x41));
        storage.writeMsg(slot1, new MsiMsg(0xFEE03000, 0, 0x42));
        storage.unmask(slot1);
        assertEquals(before, queue.completed(), "nothing pushed under the lock");
        assertEquals(0, queue.region(0).read32(QueuedDevice.SLOTS + 16 + 8), "slot untouched");
        storage.unlock();
        assertEquals(before + 1, queue.completed(), "one batch");
        assertEquals(0x42, queue.region(0).read32(QueuedDevice.SLOTS + 16 + 8), "the last write won");
        assertEquals(0, queue.region(0).read32(QueuedDevice.SLOTS + 16 + 12) & 1, "unmasked");
        storage.mask(slot1); // without the bus lock: still only recorded
        assertEquals(before + 1, queue.completed());
        storage.lock();
        storage.unlock();
        assertEquals(1, queue.region(0).read32(QueuedDevice.SLOTS + 16 + 12) & 1, "pushed at the next unlock");
    }

    @Test
    void scenario23PlatformTableWrittenPerIndexAndASecondAllocationRefused() {
        SlotDevice ims = rig.machine.model("ims0", SlotDevice.class).orElseThrow();
        int[] irqs = rig.domain.allocate("ims0", 3);
        for (int k = 0; k < 3; k++) {
            IrqInfo info = rig.info(irqs[k]);
            assertEquals(Sdm.addressLo(rig.machine.apicId(info.cpu())), ims.region(0).read32(16L * k),
                    "slot " + k + " got its composed message");
            assertEquals(Sdm.data(info.vector()), ims.region(0).read32(16L * k + 8));
            assertEquals(k, info.index(), "hwirq = index");
            assertEquals("pMSI-ims0", info.chip());
        }
        assertThrows(IllegalStateException.class, () -> rig.domain.allocate("ims0", 2), "a second allocation is refused");
        assertEquals(3, rig.domain.irqs().stream().filter(i -> i.device().equals("ims0")).count());
        rig.count(irqs[1]);
        rig.domain.mask(irqs[1]);
        ims.raise(1);
        assertTrue(ims.pending(1), "masked at the device first");
        rig.domain.unmask(irqs[1]);
        assertEquals(1, rig.handled.get(), "parent unmasked before the device: the latched message is handled once");
        assertFalse(ims.pending(1));
    }

    /** A descriptor view for calling a storage directly. */
    private record Desc(int index) implements MsiDescView {
        @Override
        public int irq() {
            return 100 + index;
        }

        @Override
        public MsiMsg msg() {
            return MsiMsg.ZERO;
        }

        @Override
        public boolean masked() {
            return false;
        }

        @Override
        public int blockSize() {
            return 1;
        }
    }
}
