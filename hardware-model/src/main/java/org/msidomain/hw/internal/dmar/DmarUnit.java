package org.msidomain.hw.internal.dmar;

import java.util.Map;

import org.msidomain.hw.internal.BootQuiesce;
import org.msidomain.hw.internal.MachinePort;
import org.msidomain.hw.internal.RegisterDevice;

/**
 * A VT-d remapping unit's event interrupts (Linux drivers/iommu/intel; QEMU hw/i386/intel_iommu.c):
 * three event sources, each a block of control (IM bit 31, IP bit 30), data, address and upper address,
 * with its status register: fault (FECTL 0x38, FSTS 0x34), invalidation completion (IECTL 0xA0, ICS
 * 0x9C), page request (PECTL 0xE0, PRS 0xDC). An event sets its status bit and IP; with IM clear the
 * message goes out and IP clears, with IM set it is held until IM clears. While a status bit is still
 * set a further event sends nothing (one message per status episode); clearing the status (write 1 to
 * clear) while held drops the message. Register accesses are serialized, as by Linux's register_lock.
 */
public final class DmarUnit extends RegisterDevice implements BootQuiesce {

    public static final String STORAGE_TYPE = "dmar";
    /** Control register of each event source, by MSI index: fault, invalidation, page request. */
    static final int[] CONTROL = { 0x38, 0xA0, 0xE0 };
    static final int[] STATUS = { 0x34, 0x9C, 0xDC };
    /** The status bit an event of each source sets: FSTS.PPF, ICS.IWC, PRS.PPR. */
    static final int[] EVENT_BIT = { 1 << 1, 1, 1 };
    static final int IM = 1 << 31;
    static final int IP = 1 << 30;

    private final int[] status = new int[3];
    private final boolean[] masked = { true, true, true }; // IM resets to 1
    private final boolean[] pending = new boolean[3];
    /** Events merged with an open status episode, by source. */
    private final java.util.concurrent.atomic.AtomicLongArray merged = new java.util.concurrent.atomic.AtomicLongArray(3);
    private final int[] data = new int[3];
    private final int[] address = new int[3];
    private final int[] upper = new int[3];

    private final RemappingTable remapping;

    /**
     * @param remapping the machine's interrupt remapping table if this unit carries it, else null
     */
    public DmarUnit(String id, MachinePort port, RemappingTable remapping) {
        super(id, STORAGE_TYPE, Map.of(), port);
        this.remapping = remapping;
    }

    /** The remapping table, if the unit remaps interrupts. */
    public java.util.Optional<RemappingTable> remapping() {
        return java.util.Optional.ofNullable(remapping);
    }

    @Override
    public long size() {
        return 0x1000;
    }

    /**
     * Every event interrupt masked (IM, its reset value) until a driver programs it: an event meanwhile is
     * held (IP) and goes out with the message the new owner writes.
     */
    @Override
    public void quiesce() {
        for (int c : CONTROL) {
            write32(c, IM);
        }
    }

    @Override
    public long merged(String storageType, int index) {
        return storageType.equals(storageType()) && index >= 0 && index < 3 ? merged.get(index) : -1;
    }

    /** An event of source {@code k} (0 fault, 1 invalidation completion, 2 page request). */
    @Override
    protected synchronized void fire(int k) {
        checkIndex(k, 3, "event source");
        boolean episodeOpen = status[k] != 0;
        status[k] |= EVENT_BIT[k];
        if (episodeOpen) {
            fabric.coalescedOne(); // one message per status episode: this event merges with the open one
            merged.incrementAndGet(k);
            return;
        }
        pending[k] = true;
        if (!masked[k]) {
            send(k);
        }
    }

    private void send(int k) {
        pending[k] = false;
        fabric.writeFromRemappingUnit(address[k], upper[k], data[k], id(), STORAGE_TYPE, k);
    }

    @Override
    protected synchronized int readRegister(long offset) {
        for (int k = 0; k < 3; k++) {
            int c = CONTROL[k];
            if (offset == c) {
                return (masked[k] ? IM : 0) | (pending[k] ? IP : 0);
            } else if (offset == c + 4) {
                return data[k];
            } else if (offset == c + 8) {
                return address[k];
            } else if (offset == c + 12) {
                return upper[k];
            } else if (offset == STATUS[k]) {
                return status[k];
            }
        }
        return 0;
    }

    @Override
    protected synchronized void writeRegister(long offset, int value) {
        for (int k = 0; k < 3; k++) {
            int c = CONTROL[k];
            if (offset == c) {
                masked[k] = (value & IM) != 0; // IP is read-only
                if (!masked[k] && pending[k]) {
                    send(k);
                }
            } else if (offset == c + 4) {
                data[k] = value;
            } else if (offset == c + 8) {
                address[k] = value & ~3;
            } else if (offset == c + 12) {
                upper[k] = value;
            } else if (offset == STATUS[k]) {
                status[k] &= ~value; // write 1 to clear
                if (status[k] == 0 && pending[k]) {
                    // serviced: the held message is dropped (VT-d: clearing the status clears IP). Its event was
                    // handled by the call that cleared it (one for the episode), so it counts as merged with it
                    pending[k] = false;
                    fabric.coalescedOne();
                    merged.incrementAndGet(k);
                }
            }
        }
    }
}
