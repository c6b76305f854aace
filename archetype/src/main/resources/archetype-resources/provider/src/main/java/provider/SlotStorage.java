package ${package}.provider;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * The message slots of one device (README.md, "Register layout"): slot k at 0x10 + 16k = {address lo, address
 * hi, data, control}, control bit 0 = mask. Every vector can be masked at the source ({@code CAN_MASK}); an
 * event raised while masked is held by the device's pending bit and sent on unmask, so nothing is lost.
 *
 * <p>The storage reads the control word from the device instead of caching it, so a storage that adopts a live
 * device (hot-swap) starts from the truth. The domain serializes the calls per device.
 */
final class SlotStorage implements MsiStorage {

    static final int CAPACITY = 0x00;
    static final int SLOT_BASE = 0x10;
    static final int SLOT_SIZE = 16;
    static final int ADDRESS_LO = 0x0;
    static final int ADDRESS_HI = 0x4;
    static final int DATA = 0x8;
    static final int CONTROL = 0xC;
    static final int MASK = 1;

    private final Mmio regs;
    private final StorageInfo info;

    SlotStorage(HwDevice device, int slots) {
        this.regs = device.region(0);
        this.info = new StorageInfo(SlotStorageOps.STORAGE_TYPE + "-MSI-" + device.fullName(), slots,
                EnumSet.of(StorageFlag.CAN_MASK));
    }

    /** The number of slots, from the capacity register (bits 15:0). */
    static int capacity(Mmio regs) {
        return regs.read32(CAPACITY) & 0xFFFF;
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    /**
     * A live (unmasked) slot is masked around the update, and the mask is read back first: the read returns only
     * after every message the slot sent before it, so the device never sends a half-written message.
     */
    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        long slot = slot(desc);
        boolean live = (regs.read32(slot + CONTROL) & MASK) == 0;
        if (live) {
            regs.write32(slot + CONTROL, MASK);
            regs.read32(slot + CONTROL);
        }
        regs.write32(slot + ADDRESS_LO, msg.addressLo());
        regs.write32(slot + ADDRESS_HI, msg.addressHi());
        regs.write32(slot + DATA, msg.data());
        if (live) {
            regs.write32(slot + CONTROL, 0); // an event raised meanwhile was held pending: sent now, once
        }
    }

    /** Masks the slot and reads the control word back, so the mask is in force when this returns. */
    @Override
    public void mask(MsiDescView desc) {
        long slot = slot(desc);
        regs.write32(slot + CONTROL, MASK);
        regs.read32(slot + CONTROL);
    }

    /** Unmasks the slot; the device sends an event that arrived while it was masked. */
    @Override
    public void unmask(MsiDescView desc) {
        regs.write32(slot(desc) + CONTROL, 0);
    }

    private static long slot(MsiDescView desc) {
        return SLOT_BASE + (long) SLOT_SIZE * desc.index();
    }
}
