package org.msidomain.core.internal;

import java.util.BitSet;

/**
 * The CPUs and which of them are online ({@code cpu_online_mask}). Changed only under the control lock; queries
 * read a copy replaced whole.
 */
final class OnlineCpus {

    private final int cpus;
    private final BitSet online = new BitSet();
    private volatile BitSet view;

    OnlineCpus(int cpus) {
        this.cpus = cpus;
        online.set(0, cpus);
        view = (BitSet) online.clone();
    }

    int cpus() {
        return cpus;
    }

    boolean online(int cpu) {
        return online.get(cpu);
    }

    /** A copy of the online CPUs (control path). */
    BitSet mask() {
        return (BitSet) online.clone();
    }

    /** The online CPUs as of the last change, without the lock (queries); not to be changed. */
    BitSet view() {
        return view;
    }

    void set(int cpu, boolean on) {
        online.set(cpu, on);
        view = (BitSet) online.clone();
    }

    void check(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (cpus - 1));
        }
    }
}
