package org.msidomain.hw.internal.platform;

import java.util.Map;

import org.msidomain.hw.internal.BootQuiesce;
import org.msidomain.hw.internal.MachinePort;
import org.msidomain.hw.internal.RegisterDevice;

/** A platform device whose message slots are memory-mapped registers: slot k at 16k (IMS, platform-msi). */
public final class SlotDevice extends RegisterDevice implements BootQuiesce {

    public static final String STORAGE_TYPE = "platform";
    private final SlotTable table;

    public SlotDevice(String id, int slots, MachinePort port) {
        super(id, STORAGE_TYPE, Map.of("table", "slots", "slots", String.valueOf(slots)), port);
        table = new SlotTable(slots, port.fabric(), port.requesterId(), id);
    }

    public boolean pending(int slot) {
        return table.pending(slot);
    }

    /** Every slot masked (its reset value): a raise meanwhile is latched and sent with the new owner's message. */
    @Override
    public void quiesce() {
        for (int k = 0; k < table.slots(); k++) {
            long ctrl = 16L * k + 4 * SlotTable.CTRL;
            write32(ctrl, read32(ctrl) | 1);
        }
    }

    @Override
    public long size() {
        return table.slots() * 16L;
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
    protected int readRegister(long offset) {
        return table.read((int) (offset >> 4), (int) (offset >> 2) & 3);
    }

    @Override
    protected void writeRegister(long offset, int value) {
        table.write((int) (offset >> 4), (int) (offset >> 2) & 3, value);
    }
}
