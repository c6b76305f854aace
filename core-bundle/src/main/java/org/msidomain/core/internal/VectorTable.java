package org.msidomain.core.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.msidomain.hw.VectorSink;

/**
 * The per-CPU dispatch tables (indexed by the id the parent's controller delivers: an x86 vector, an LPI INTID,
 * an SPI, an IMSIC identity) through which a message that reached a CPU finds its interrupt, and the
 * per-CPU counters. Each CPU owns its own arrays, so delivery on one CPU never writes memory another
 * CPU's delivery writes: the hot path takes no lock and allocates nothing.
 *
 * <p>Counts live per (CPU, vector) slot rather than per descriptor, as Linux keeps {@code kstat_irqs}
 * per CPU; when an interrupt leaves a slot its count is folded into the descriptor's history.
 */
final class VectorTable implements VectorSink {

    private final AtomicReferenceArray<IrqDesc>[] slots;
    private final AtomicLongArray[] counts;
    private final AtomicLongArray spurious;
    /**
     * The interrupt using a vector another owns as the interim vector of a two-step move (one at a time: moves run
     * under the control lock), null if none; then the slot and the mover's writer (device, storage type, entry).
     * Written before {@code mover} is published.
     */
    private volatile IrqDesc mover;
    private int windowCpu;
    private int windowVector;
    private String moverDevice;
    private String moverStorage;
    private int moverEntry;
    /**
     * Whether the mover's own message set the IRR bit of the window's slot. Only ever set to true in a window (by
     * the mover's message, all of which the move's read-back flushed before the window closes): a late callback of
     * another writer's message cannot undo it.
     */
    private volatile boolean moverFirst;

    @SuppressWarnings("unchecked")
    VectorTable(int cpus, int ids) {
        slots = new AtomicReferenceArray[cpus];
        counts = new AtomicLongArray[cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            slots[cpu] = new AtomicReferenceArray<>(ids);
            counts[cpu] = new AtomicLongArray(ids);
        }
        // One counter per cache line, so CPUs do not share a line.
        spurious = new AtomicLongArray(cpus * 8);
    }

    int cpus() {
        return slots.length;
    }

    @Override
    public void accept(int cpu, int vector) {
        IrqDesc desc = slots[cpu].get(vector);
        if (desc == null) {
            spurious.incrementAndGet(cpu * 8);
            return;
        }
        if (desc.retriggerOf != null) {
            return; // a vector a non-maskable move borrows (VECTOR_RETRIGGERED): its retrigger delivers it
        }
        desc.deliver(cpu, counts[cpu], vector);
    }

    /** A message merged in a disabled CPU's IRR: counted for the interrupt whose vector it is. */
    @Override
    public void merged(int cpu, int vector) {
        merged(cpu, vector, null, null, -1);
    }

    /**
     * The same, knowing the writer: in a shared interim window the message is the mover's if the writer is the
     * mover's device, storage and entry, else the owner's (a writer not named is taken for the owner: only a
     * remapped message is, and a remapped interrupt never moves in two steps).
     */
    @Override
    public void merged(int cpu, int vector, String device, String storageType, int entry) {
        IrqDesc m = mover;
        if (m != null && cpu == windowCpu && vector == windowVector && movers(device, storageType, entry)) {
            m.countMerge();
            return;
        }
        IrqDesc desc = slots[cpu].get(vector);
        if (desc != null) {
            (desc.retriggerOf != null ? desc.retriggerOf : desc).countMerge();
        }
    }

    /** Points a slot at an interrupt; the slot must be free. */
    void install(int cpu, int vector, IrqDesc desc) {
        if (!slots[cpu].compareAndSet(vector, null, desc)) {
            throw new IllegalStateException("vector " + vector + " of CPU " + cpu + " is already in use");
        }
    }

    /** The interrupt a slot belongs to (or a move's marker), null if free. Control path. */
    IrqDesc owner(int cpu, int vector) {
        return slots[cpu].get(vector);
    }

    /** The IRR bit of a slot set by a message: in a shared interim window, note whether it was the mover's. */
    @Override
    public void requested(int cpu, int vector, String device, String storageType, int entry) {
        IrqDesc m = mover;
        if (m != null && cpu == windowCpu && vector == windowVector && movers(device, storageType, entry)) {
            moverFirst = true;
        }
    }

    private boolean movers(String device, String storageType, int entry) {
        return entry == moverEntry && moverDevice.equals(device) && moverStorage.equals(storageType);
    }

    /**
     * Opens a shared interim window: {@code by}, sent by entry {@code by.index} of storage {@code storageType} of
     * {@code device}, uses the slot another interrupt owns. A bit already set is the owner's. Control path.
     */
    void borrow(int cpu, int vector, IrqDesc by, String device, String storageType) {
        windowCpu = cpu;
        windowVector = vector;
        moverDevice = device;
        moverStorage = storageType;
        moverEntry = by.index;
        moverFirst = false;
        mover = by;
    }

    /** Closes the window; returns whether the mover's message set the IRR bit first. Control path. */
    boolean giveBack() {
        mover = null;
        return moverFirst;
    }

    /** Frees a slot and returns the count it accumulated for its interrupt. */
    long uninstall(int cpu, int vector) {
        slots[cpu].set(vector, null);
        return counts[cpu].getAndSet(vector, 0);
    }

    /** The count a slot accumulated since its interrupt was installed. */
    long count(int cpu, int vector) {
        return counts[cpu].get(vector);
    }

    long spurious(int cpu) {
        return spurious.get(cpu * 8);
    }
}
