package org.example.ims.provider;

import java.util.Set;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A DSA function's IMS slot array, written as Linux's IDXD IMS irqchip does ({@code irq-pci-intel-idxd.c},
 * tglx's 2022 series): the message into address lo, address hi, data; the control word is the slot's PASID
 * word ({@code cval}: PASID enable, PASID) with the mask bit set to mask and clear to unmask; every access is
 * flushed with a read-back, so a mask returns once the device is masked.
 */
final class ImsSlots implements MsiStorage {

    private final Mmio bar;
    private final long table;
    private final int[] cval;
    private final StorageInfo info;

    ImsSlots(Mmio bar, long table, int[] cval, String chipName) {
        this.bar = bar;
        this.table = table;
        this.cval = cval;
        this.info = new StorageInfo(chipName, cval.length, Set.of(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        long slot = slot(desc);
        bar.write32(slot, msg.addressLo());
        bar.write32(slot + 4, msg.addressHi());
        bar.write32(slot + 8, msg.data());
        bar.read32(slot + 8);
    }

    @Override
    public void mask(MsiDescView desc) {
        writeCtrl(desc, cval[desc.index()] | DsaDatasheet.CTRL_MASK);
    }

    @Override
    public void unmask(MsiDescView desc) {
        writeCtrl(desc, cval[desc.index()]);
    }

    private void writeCtrl(MsiDescView desc, int value) {
        long ctrl = slot(desc) + DsaDatasheet.CTRL;
        bar.write32(ctrl, value);
        bar.read32(ctrl);
    }

    private long slot(MsiDescView desc) {
        int index = desc.index();
        if (index < 0 || index >= cval.length) {
            throw new IllegalArgumentException("IMS slot " + index + " is beyond the " + cval.length + " slots of " + info.chipName());
        }
        return table + (long) DsaDatasheet.SLOT * index;
    }
}
