package org.msidomain.provider.platform.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A platform device's own message table (platform-msi's per-device write_msg callback, the IMS slot
 * shape {address lo, address hi, data, control}): writes go straight to the slot, the slot is masked
 * around an update of a live slot, and masking also masks at the parent (platform-msi masks at the
 * destination: device mask then parent; unmask parent then device).
 */
final class SlotStorage implements MsiStorage {

    private static final int MASK = 1;

    private final Mmio slots;
    private final int[] ctrl;
    private final StorageInfo info;

    SlotStorage(HwDevice device, int count) {
        this.slots = device.region(PlatformStorageOps.region(device));
        this.ctrl = new int[count];
        for (int k = 0; k < count; k++) {
            ctrl[k] = slots.read32(k * 16L + 12) | MASK;
        }
        this.info = new StorageInfo("pMSI-" + device.fullName(), count,
                EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.MASK_PARENT, StorageFlag.ALLOC_DYNAMIC));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        long slot = desc.index() * 16L;
        int c = ctrl[desc.index()];
        boolean live = (c & MASK) == 0;
        if (live) {
            slots.write32(slot + 12, c | MASK);
        }
        slots.write32(slot, msg.addressLo());
        slots.write32(slot + 4, msg.addressHi());
        slots.write32(slot + 8, msg.data());
        if (live) {
            slots.write32(slot + 12, c);
        }
        slots.read32(slot + 8);
    }

    @Override
    public void mask(MsiDescView desc) {
        ctrl[desc.index()] |= MASK;
        slots.write32(desc.index() * 16L + 12, ctrl[desc.index()]);
        slots.read32(desc.index() * 16L + 12);
    }

    @Override
    public void unmask(MsiDescView desc) {
        ctrl[desc.index()] &= ~MASK;
        slots.write32(desc.index() * 16L + 12, ctrl[desc.index()]);
    }
}
