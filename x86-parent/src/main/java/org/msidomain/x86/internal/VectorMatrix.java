package org.msidomain.x86.internal;

import java.util.BitSet;


/**
 * The x86 vector matrix (Linux's {@code kernel/irq/matrix.c} as the vector domain uses it): per-CPU allocation of
 * device vectors 0x20-0xEF, spread over the CPUs the way Linux's matrix allocator does (the CPU with the most free
 * vectors first). Called only from the domain's control path.
 */
final class VectorMatrix {

    /** The vectors of a CPU's IDT. */
    static final int VECTORS = 256;
    private static final int PER_CPU = X86Msi.LAST_DEVICE_VECTOR - X86Msi.FIRST_DEVICE_VECTOR + 1;

    private final BitSet[] used;
    private final int[] free;
    private final int[] apicIds;
    /** CPUs with free vectors, most free first, then by number: the emptiest is the first, in O(log n). */
    private final java.util.TreeSet<Integer> byFree;
    /** The same for CPUs a compatibility-format address can reach (APIC id up to 255). */
    private final java.util.TreeSet<Integer> byFreeXapic;
    /** The online CPUs: only they take vectors (Linux's matrix searches {@code cpu_online_mask}). */
    private final BitSet online = new BitSet();

    VectorMatrix(int[] apicIds) {
        this.apicIds = apicIds.clone();
        int cpus = apicIds.length;
        used = new BitSet[cpus];
        free = new int[cpus];
        java.util.Comparator<Integer> order = (a, b) -> free[a] != free[b] ? free[b] - free[a] : a - b;
        byFree = new java.util.TreeSet<>(order);
        byFreeXapic = new java.util.TreeSet<>(order);
        for (int cpu = 0; cpu < cpus; cpu++) {
            used[cpu] = new BitSet(VECTORS);
            free[cpu] = PER_CPU;
            online.set(cpu);
            index(cpu);
        }
    }

    /** Changes a CPU's free count keeping the ordered sets right. */
    private void adjustFree(int cpu, int delta) {
        byFree.remove(cpu);
        byFreeXapic.remove(cpu);
        free[cpu] += delta;
        index(cpu);
    }

    private void index(int cpu) {
        if (free[cpu] > 0 && online.get(cpu)) {
            byFree.add(cpu);
            if (apicIds[cpu] <= 0xFF) {
                byFreeXapic.add(cpu);
            }
        }
    }

    int cpus() {
        return used.length;
    }

    int apicId(int cpu) {
        return apicIds[cpu];
    }

    /** Free device vectors on a CPU. */
    int free(int cpu) {
        return free[cpu];
    }

    /** Free device vectors on all online CPUs. */
    int freeTotal() {
        int sum = 0;
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            sum += free[cpu];
        }
        return sum;
    }

    /** Device vectors in use on a CPU. */
    int used(int cpu) {
        return PER_CPU - free[cpu];
    }

    boolean online(int cpu) {
        return online.get(cpu);
    }

    /** A copy of the online CPUs. */
    BitSet onlineMask() {
        return (BitSet) online.clone();
    }

    /** Marks a CPU online or offline: an offline CPU is never chosen and takes no vector (its own are moved off). */
    void setOnline(int cpu, boolean on) {
        checkCpu(cpu);
        byFree.remove(cpu);
        byFreeXapic.remove(cpu);
        online.set(cpu, on);
        index(cpu);
    }

    /** The CPU with the most free vectors (lowest number on a tie), or -1 if every CPU is full. */
    int emptiestCpu() {
        return emptiestCpu(true);
    }

    /**
     * The CPU with the most free vectors among those a message can address: with {@code x2apic} false
     * only APIC ids up to 255 (the 8-bit destination field of a compatibility-format address).
     */
    int emptiestCpu(boolean x2apic) {
        java.util.TreeSet<Integer> set = x2apic ? byFree : byFreeXapic;
        return set.isEmpty() ? -1 : set.first();
    }

    /**
     * The CPU of an affinity mask with the most free vectors (the lowest on a tie), or -1 if none of them has
     * one: Linux's {@code matrix_find_best_cpu}, which {@code irq_matrix_alloc} calls with the mask. A null
     * mask is every CPU. With {@code x2apic} false only CPUs a compatibility-format address can reach.
     */
    int emptiestCpuIn(BitSet mask, boolean x2apic) {
        if (mask == null) {
            return emptiestCpu(x2apic);
        }
        int best = -1;
        for (int cpu = mask.nextSetBit(0); cpu >= 0 && cpu < free.length; cpu = mask.nextSetBit(cpu + 1)) {
            if (free[cpu] > 0 && online.get(cpu) && (x2apic || apicIds[cpu] <= 0xFF) && (best < 0 || free[cpu] > free[best])) {
                best = cpu;
            }
        }
        return best;
    }

    /**
     * Allocates the lowest free vector on a CPU, as Linux's matrix allocator does ({@code irq_matrix_alloc}:
     * the first zero bit from the start of the device range), so a vector freed is handed out again at once.
     * A stale message cannot reach its new owner: a vector is freed only after the device's read-back.
     *
     * @throws IllegalStateException if the CPU has no free vector
     */
    int allocate(int cpu) {
        checkCpu(cpu);
        if (!online.get(cpu)) {
            throw new IllegalStateException("CPU " + cpu + " is offline");
        }
        if (free[cpu] == 0) {
            throw new IllegalStateException("no free vector on CPU " + cpu);
        }
        int v = used[cpu].nextClearBit(X86Msi.FIRST_DEVICE_VECTOR);
        used[cpu].set(v);
        adjustFree(cpu, -1);
        return v;
    }

    /**
     * Allocates {@code count} consecutive vectors aligned to {@code count} (a power of two) on a CPU,
     * as multi-message MSI needs, whose numbers are also free on CPU {@code alsoFreeOn} (-1: no such
     * condition). Returns the first, or -1 if the CPU has no such block.
     */
    int allocateBlock(int cpu, int count, int alsoFreeOn) {
        checkCpu(cpu);
        if (!online.get(cpu)) {
            return -1;
        }
        int first = (X86Msi.FIRST_DEVICE_VECTOR + count - 1) & -count;
        for (int base = first; base + count - 1 <= X86Msi.LAST_DEVICE_VECTOR; base += count) {
            if (clear(cpu, base, count) && (alsoFreeOn < 0 || clear(alsoFreeOn, base, count))) {
                used[cpu].set(base, base + count);
                adjustFree(cpu, -count);
                return base;
            }
        }
        return -1;
    }

    private boolean clear(int cpu, int base, int count) {
        int next = used[cpu].nextSetBit(base);
        return next < 0 || next >= base + count;
    }

    /** Releases a block allocated by {@link #allocateBlock}. */
    void releaseBlock(int cpu, int base, int count) {
        for (int v = base; v < base + count; v++) {
            release(cpu, v);
        }
    }

    void release(int cpu, int vector) {
        if (!used[cpu].get(vector)) {
            throw new IllegalStateException("vector " + vector + " of CPU " + cpu + " is not allocated");
        }
        used[cpu].clear(vector);
        adjustFree(cpu, 1);
    }

    void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= used.length) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (used.length - 1));
        }
    }
}
