package org.msidomain.core.internal;

import java.util.BitSet;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/** Affinity masks: checked from the api's set of CPUs, printed as Linux's cpulist ({@code 0-3,6}). */
final class CpuMask {

    private CpuMask() {
    }

    /**
     * A mask of CPUs each below {@code cpus}.
     *
     * @throws IllegalArgumentException for no CPU or one out of range, naming the irq or the CPU
     */
    static BitSet of(int irq, Set<Integer> set, int cpus) {
        if (set == null || set.isEmpty()) {
            throw new IllegalArgumentException("affinity mask of irq " + irq + " has no CPU");
        }
        BitSet mask = new BitSet(cpus);
        for (Integer cpu : set) {
            if (cpu == null || cpu < 0 || cpu >= cpus) {
                throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (cpus - 1));
            }
            mask.set(cpu);
        }
        return mask;
    }

    /** The CPUs of a mask in ascending order; null is every CPU (Linux's default affinity). */
    static Set<Integer> set(BitSet mask, int cpus) {
        Set<Integer> out = new TreeSet<>();
        if (mask == null) {
            for (int cpu = 0; cpu < cpus; cpu++) {
                out.add(cpu);
            }
        } else {
            mask.stream().forEach(out::add);
        }
        return Collections.unmodifiableSet(out);
    }

    /** Linux's cpulist ({@code bitmap_print_to_pagebuf} with list): ranges joined by commas, {@code 2-3,6}. */
    static String list(BitSet mask) {
        StringBuilder out = new StringBuilder();
        for (int first = mask.nextSetBit(0); first >= 0; first = mask.nextSetBit(first + 1)) {
            int last = mask.nextClearBit(first) - 1;
            out.append(out.length() > 0 ? "," : "").append(first);
            if (last > first) {
                out.append('-').append(last);
            }
            first = last;
        }
        return out.toString();
    }
}
