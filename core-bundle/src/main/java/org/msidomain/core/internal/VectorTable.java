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
