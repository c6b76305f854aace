package org.msidomain.bench;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.SimMachine;

/**
 * The retained heap per live vector: allocates N vectors over 2048-slot devices and compares the used
 * heap after a full GC before and after. {@code java -cp benchmarks/target/benchmarks.jar
 * org.msidomain.bench.MemoryPerVector 1000000}
 */
public final class MemoryPerVector {

    private MemoryPerVector() {
    }

    public static void main(String[] args) throws InterruptedException {
        int vectors = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int devices = (vectors + 2047) / 2048;
        SimMachine machine = Machines.platform(vectors / 200 + 1, devices);
        MsiDomainImpl domain = Machines.domain(machine, new BenchSlotOps(), "platform");
        long before = used();
        int left = vectors;
        for (int d = 0; d < devices; d++) {
            int n = Math.min(2048, left);
            domain.allocate("dev" + d, n);
            left -= n;
        }
        long after = used();
        System.out.printf("vectors=%d bytes-per-live-vector=%.1f (heap %.1f MB)%n", vectors,
                (after - before) / (double) vectors, (after - before) / 1048576.0);
        int live = domain.devices().stream().mapToInt(d -> d.vectors()).sum();
        if (live != vectors) {
            throw new IllegalStateException("allocated " + live);
        }
        domain.deactivate();
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // let the collector finish; a measurement tool, not a test
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
