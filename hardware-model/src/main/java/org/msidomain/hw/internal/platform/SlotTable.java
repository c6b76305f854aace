package org.msidomain.hw.internal.platform;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.internal.InterruptFabric;

/**
 * A device-specific message table (the IMS shape: 16-byte slots {address lo, address hi, data,
 * control}, control bit 0 = mask, slots reset masked). A raise on a masked slot latches a pending bit;
 * unmasking a pending slot sends its current message once. Public for the PCI functions that have a slot
 * array in a BAR beside their MSI-X (their secondary storage).
 */
public final class SlotTable {

    private final java.util.concurrent.atomic.AtomicLongArray merged;

    public static final int LO = 0;
    public static final int HI = 1;
    public static final int DATA = 2;
    public static final int CTRL = 3;

    private final AtomicIntegerArray words;
    /** A sequence count per slot, odd while the slot is being changed, so a send never mixes two states. */
    private final AtomicIntegerArray writes;
    private final AtomicIntegerArray pending;
    private final InterruptFabric fabric;
    private final int requesterId;
    /** The writer of the slots' messages, for a CPU's IRR accounts: the device's id and storage type. */
    private final String device;
    private final String storageType;

    public SlotTable(int slots, InterruptFabric fabric, int requesterId, String device) {
        words = new AtomicIntegerArray(slots * 4);
        writes = new AtomicIntegerArray(slots);
        pending = new AtomicIntegerArray(slots);
        merged = new java.util.concurrent.atomic.AtomicLongArray(slots);
        this.fabric = fabric;
        this.requesterId = requesterId;
        this.device = device;
        this.storageType = SlotDevice.STORAGE_TYPE;
        for (int k = 0; k < slots; k++) {
            words.set(k * 4 + CTRL, 1);
        }
    }

    public int slots() {
        return writes.length();
    }

    public int read(int slot, int word) {
        return words.get(slot * 4 + word);
    }

    public void write(int slot, int word, int value) {
        writes.incrementAndGet(slot);
        words.set(slot * 4 + word, value);
        writes.incrementAndGet(slot);
        if (word == CTRL && (value & 1) == 0 && pending.compareAndSet(slot, 1, 0)) {
            send(slot);
        }
    }

    /** Changes a whole slot at once (a command of the queue): no send sees part of it. */
    void writeSlot(int slot, int lo, int hi, int data, int ctrl) {
        writes.incrementAndGet(slot);
        words.set(slot * 4 + LO, lo);
        words.set(slot * 4 + HI, hi);
        words.set(slot * 4 + DATA, data);
        words.set(slot * 4 + CTRL, ctrl);
        writes.incrementAndGet(slot);
        if ((ctrl & 1) == 0 && pending.compareAndSet(slot, 1, 0)) {
            send(slot);
        }
    }

    /** Raises of a slot that merged with one pending. */
    public long merged(int slot) {
        return slot >= 0 && slot < merged.length() ? merged.get(slot) : 0;
    }

    public boolean pending(int slot) {
        return pending.get(slot) == 1;
    }

    public void raise(int slot) {
        if ((read(slot, CTRL) & 1) != 0) {
            if (pending.getAndSet(slot, 1) == 1) {
                fabric.coalescedOne(); // already pending: merges with it
                merged.incrementAndGet(slot);
            }
            if ((read(slot, CTRL) & 1) == 0 && pending.compareAndSet(slot, 1, 0)) {
                send(slot);
            }
            return;
        }
        send(slot);
    }

    private void send(int slot) {
        for (;;) {
            int w = writes.get(slot);
            if ((w & 1) != 0) {
                Thread.onSpinWait(); // the slot is being changed
                continue;
            }
            int lo = read(slot, LO);
            int hi = read(slot, HI);
            int data = read(slot, DATA);
            if (writes.get(slot) == w) {
                fabric.write(lo, hi, data, requesterId, device, storageType, slot);
                return;
            }
        }
    }
}
