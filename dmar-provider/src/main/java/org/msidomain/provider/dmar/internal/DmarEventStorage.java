package org.msidomain.provider.dmar.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A DMAR unit's event interrupts as storage (Linux drivers/iommu/intel/dmar.c): MSI index 0 = fault
 * event (FECTL 0x38), 1 = invalidation completion (IECTL 0xA0), 2 = page request (PECTL 0xE0); each
 * block is control, data (+4), address (+8), upper address (+12, destination bits 31:8). Mask writes
 * IM and reads back, unmask writes 0 and reads back; every access holds the unit's register lock.
 */
final class DmarEventStorage implements MsiStorage {

    static final int[] CONTROL = { 0x38, 0xA0, 0xE0 };
    static final int IM = 1 << 31;

    private final Mmio regs;
    private final Object registerLock;
    private final StorageInfo info;

    DmarEventStorage(HwDevice device, Object registerLock) {
        this.regs = device.region(0);
        this.registerLock = registerLock;
        this.info = new StorageInfo("DMAR-MSI", CONTROL.length,
                EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.REMAPPING_UNIT, StorageFlag.ALLOC_DYNAMIC));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        int ctrl = CONTROL[desc.index()];
        synchronized (registerLock) {
            regs.write32(ctrl + 4, msg.data());
            regs.write32(ctrl + 8, msg.addressLo());
            regs.write32(ctrl + 12, msg.addressHi());
            regs.read32(ctrl);
        }
    }

    @Override
    public void mask(MsiDescView desc) {
        int ctrl = CONTROL[desc.index()];
        synchronized (registerLock) {
            regs.write32(ctrl, IM);
            regs.read32(ctrl);
        }
    }

    @Override
    public void unmask(MsiDescView desc) {
        int ctrl = CONTROL[desc.index()];
        synchronized (registerLock) {
            regs.write32(ctrl, 0);
            regs.read32(ctrl);
        }
    }
}
