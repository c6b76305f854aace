package org.msidomain.hw.internal.pci;

import java.util.function.BooleanSupplier;

import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.internal.platform.SlotTable;

/**
 * The memory BAR of a PCI function that holds its IMS slot array (a secondary storage beside MSI-X): slot k
 * at 16k = {address lo, address hi, data, control bit 0 = mask}, as the platform devices' tables. The rest of
 * the BAR is device memory the model does not implement (reads 0, writes ignored). A write counts in flight,
 * so the message an unmask releases is flushed by the next read like a raised one.
 */
final class SlotBar implements Mmio {

    private final int bar;
    private final long size;
    private final SlotTable table;
    private final InFlight inFlight;
    /** Whether the function is in D0: memory space is decoded only then. */
    private final BooleanSupplier d0;

    SlotBar(int bar, long size, SlotTable table, InFlight inFlight, BooleanSupplier d0) {
        this.bar = bar;
        this.size = size;
        this.table = table;
        this.inFlight = inFlight;
        this.d0 = d0;
    }

    int bar() {
        return bar;
    }

    SlotTable table() {
        return table;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read32(long offset) {
        check(offset);
        if (!d0.getAsBoolean()) {
            return -1; // not decoded outside D0: the read completes with all ones
        }
        return inSlots(offset) ? table.read((int) (offset >> 4), (int) (offset >> 2) & 3) : 0;
    }

    @Override
    public void write32(long offset, int value) {
        check(offset);
        if (!d0.getAsBoolean() || !inSlots(offset)) {
            return; // not decoded outside D0, or memory the model does not implement
        }
        int phase = inFlight.begin();
        try {
            table.write((int) (offset >> 4), (int) (offset >> 2) & 3, value);
        } finally {
            inFlight.end(phase);
        }
    }

    /** Every slot masked, its reset value: what the OS leaves before a driver (and a new domain) takes it. */
    void maskAll() {
        int phase = inFlight.begin();
        try {
            for (int k = 0; k < table.slots(); k++) {
                table.write(k, SlotTable.CTRL, table.read(k, SlotTable.CTRL) | 1);
            }
        } finally {
            inFlight.end(phase);
        }
    }

    private boolean inSlots(long offset) {
        return offset < table.slots() * 16L;
    }

    private void check(long offset) {
        if (offset < 0 || offset + 4 > size || (offset & 3) != 0) {
            throw new IllegalArgumentException(String.format("BAR%d access at 0x%x is outside its %d bytes or unaligned",
                    bar, offset, size));
        }
    }
}
