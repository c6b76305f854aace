package org.msidomain.provider.platform.internal;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.concurrent.locks.ReentrantLock;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A message table updated only through the device's command queue (Linux irq_bus_lock /
 * irq_bus_sync_unlock): {@code mask}, {@code unmask} and {@code writeMsg} record into a shadow of the
 * slots; {@code unlock} pushes every changed slot's final state in one batch of commands and waits for
 * their completion, from thread context. The device sees nothing before unlock; the last write wins.
 */
final class QueuedSlotStorage implements MsiStorage {

    static final int CMD_SLOT = 0x00;
    static final int CMD_LO = 0x04;
    static final int CMD_HI = 0x08;
    static final int CMD_DATA = 0x0C;
    static final int CMD_CTRL = 0x10;
    static final int DOORBELL = 0x14;
    static final int COMPLETED = 0x18;
    private static final int MASK = 1;

    private final Mmio regs;
    private final MsiMsg[] msg;
    private final int[] ctrl;
    private final BitSet dirty = new BitSet();
    private final ReentrantLock busLock = new ReentrantLock();
    private final StorageInfo info;

    QueuedSlotStorage(HwDevice device, int count) {
        this.regs = device.region(PlatformStorageOps.region(device));
        this.msg = new MsiMsg[count];
        this.ctrl = new int[count];
        for (int k = 0; k < count; k++) {
            msg[k] = MsiMsg.ZERO;
            ctrl[k] = MASK;
        }
        this.info = new StorageInfo("pMSI-" + device.fullName(), count,
                EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.BUS_LOCK, StorageFlag.ALLOC_DYNAMIC));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public synchronized void writeMsg(MsiDescView desc, MsiMsg m) {
        msg[desc.index()] = m;
        dirty.set(desc.index());
    }

    @Override
    public synchronized void mask(MsiDescView desc) {
        ctrl[desc.index()] |= MASK;
        dirty.set(desc.index());
    }

    @Override
    public synchronized void unmask(MsiDescView desc) {
        ctrl[desc.index()] &= ~MASK;
        dirty.set(desc.index());
    }

    @Override
    public void lock() {
        busLock.lock();
    }

    /** irq_bus_sync_unlock: one command per changed slot, then wait until the device completed them. */
    @Override
    public void unlock() {
        try {
            synchronized (this) {
                int expected = regs.read32(COMPLETED);
                for (int k = dirty.nextSetBit(0); k >= 0; k = dirty.nextSetBit(k + 1)) {
                    regs.write32(CMD_SLOT, k);
                    regs.write32(CMD_LO, msg[k].addressLo());
                    regs.write32(CMD_HI, msg[k].addressHi());
                    regs.write32(CMD_DATA, msg[k].data());
                    regs.write32(CMD_CTRL, ctrl[k]);
                    regs.write32(DOORBELL, 1);
                    expected++;
                }
                dirty.clear();
                if (regs.read32(COMPLETED) != expected) {
                    throw new IllegalStateException("command queue did not complete (" + regs.read32(COMPLETED)
                            + " of " + expected + ")");
                }
            }
        } finally {
            busLock.unlock();
        }
    }
}
