package org.msidomain.hw.internal.platform;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.msidomain.hw.internal.BootQuiesce;
import org.msidomain.hw.internal.MachinePort;
import org.msidomain.hw.internal.RegisterDevice;

/**
 * A platform device whose message slots software cannot write: it posts a command (slot, address lo,
 * address hi, data, control) and rings a doorbell; the device applies the whole slot at once. The slots
 * are readable at 0x100 + 16k. Commands executed are counted, so a test can see that a bus-locked
 * storage pushes one batch at unlock and nothing before.
 */
public final class QueuedDevice extends RegisterDevice implements BootQuiesce {

    public static final int CMD_SLOT = 0x00;
    public static final int CMD_LO = 0x04;
    public static final int CMD_HI = 0x08;
    public static final int CMD_DATA = 0x0C;
    public static final int CMD_CTRL = 0x10;
    public static final int DOORBELL = 0x14;
    public static final int COMPLETED = 0x18;
    public static final int SLOTS = 0x100;

    private final SlotTable table;
    private final int[] command = new int[5];
    private final AtomicInteger completed = new AtomicInteger();

    public QueuedDevice(String id, int slots, MachinePort port) {
        super(id, SlotDevice.STORAGE_TYPE, Map.of("table", "queue", "slots", String.valueOf(slots)), port);
        table = new SlotTable(slots, port.fabric(), port.requesterId(), id);
    }

    public boolean pending(int slot) {
        return table.pending(slot);
    }

    /** Commands the device has executed. */
    public int completed() {
        return completed.get();
    }

    /** Every unmasked slot masked (its reset value) by a command, the only way software changes a slot. */
    @Override
    public synchronized void quiesce() {
        for (int k = 0; k < table.slots(); k++) {
            long slot = SLOTS + 16L * k;
            int ctrl = read32(slot + 4 * SlotTable.CTRL);
            if ((ctrl & 1) == 0) {
                write32(CMD_SLOT, k);
                write32(CMD_LO, read32(slot + 4 * SlotTable.LO));
                write32(CMD_HI, read32(slot + 4 * SlotTable.HI));
                write32(CMD_DATA, read32(slot + 4 * SlotTable.DATA));
                write32(CMD_CTRL, ctrl | 1);
                write32(DOORBELL, 1);
            }
        }
    }

    @Override
    public long size() {
        return SLOTS + table.slots() * 16L;
    }

    @Override
    public long merged(String storageType, int index) {
        return storageType.equals(storageType()) ? table.merged(index) : -1;
    }

    @Override
    protected void fire(int slot) {
        checkIndex(slot, table.slots(), "slot");
        table.raise(slot);
    }

    @Override
    protected synchronized int readRegister(long offset) {
        if (offset >= SLOTS) {
            long o = offset - SLOTS;
            return table.read((int) (o >> 4), (int) (o >> 2) & 3);
        }
        if (offset == COMPLETED) {
            return completed.get();
        }
        return offset < DOORBELL ? command[(int) offset >> 2] : 0;
    }

    @Override
    protected synchronized void writeRegister(long offset, int value) {
        if (offset < DOORBELL) {
            command[(int) offset >> 2] = value;
        } else if (offset == DOORBELL) {
            int slot = command[0];
            checkIndex(slot, table.slots(), "slot");
            // the device applies a command's slot as a whole
            table.writeSlot(slot, command[1], command[2], command[3], command[4]);
            completed.incrementAndGet();
        }
        // slots and the completion counter are read-only
    }
}
