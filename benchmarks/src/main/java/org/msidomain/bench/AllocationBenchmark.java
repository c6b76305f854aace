package org.msidomain.bench;

import java.util.concurrent.TimeUnit;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocation: 2048 MSI-X vectors of one device (allocate and free; and allocate, request every vector
 * and free), and 10k to 1M vectors over many 2048-slot devices and CPUs. After the largest allocation
 * the retained heap per live vector is printed ("memory per live vector").
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx8g")
public class AllocationBenchmark {

    /** One device with a 2048-entry MSI-X table on 16 CPUs (208 vectors each). */
    @State(Scope.Benchmark)
    public static class Msix {
        MsiDomainImpl domain;

        @Setup(Level.Trial)
        public void boot() {
            SimMachine machine = Machines.msix2048(16);
            domain = Machines.domain(machine, new PciStorageOps(), "pci");
        }

        /** The free is not measured. */
        @TearDown(Level.Invocation)
        public void free() {
            domain.free("01:00.0");
        }

        @TearDown(Level.Trial)
        public void stop() {
            domain.deactivate();
        }
    }

    /** pci_alloc_irq_vectors: the maskable vectors are activated in reservation mode. */
    @Benchmark
    @Warmup(iterations = 500) // single shots: enough of them for the JIT to finish with allocate
    @Measurement(iterations = 200)
    public int[] msix2048Allocate(Msix s) {
        return s.domain.allocate("01:00.0", 2048);
    }

    /** pci_alloc_irq_vectors and request_irq for every vector: each gets its real vector and is unmasked. */
    @Benchmark
    @Warmup(iterations = 500) // single shots: enough of them for the JIT to finish with allocate
    @Measurement(iterations = 200)
    public int[] msix2048AllocateAndRequest(Msix s) {
        int[] irqs = s.domain.allocate("01:00.0", 2048);
        for (int irq : irqs) {
            s.domain.setHandler(irq, "bench", (i, cpu) -> { });
        }
        return irqs;
    }

    /** Many devices and CPUs, sized for the vector count. */
    @State(Scope.Benchmark)
    public static class Many {
        @Param({ "10000", "100000", "1000000" })
        int vectors;
        MsiDomainImpl domain;
        int devices;

        @Setup(Level.Trial)
        public void boot() {
            devices = (vectors + 2047) / 2048;
            SimMachine machine = Machines.platform(vectors / 200 + 1, devices);
            domain = Machines.domain(machine, new BenchSlotOps(), "platform");
        }

        @TearDown(Level.Invocation)
        public void freeAll() {
            for (int d = 0; d < devices; d++) {
                domain.free("dev" + d);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            domain.deactivate();
        }
    }

    @Benchmark
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public void allocateMany(Many s) {
        int left = s.vectors;
        for (int d = 0; d < s.devices; d++) {
            int n = Math.min(2048, left);
            s.domain.allocate("dev" + d, n);
            left -= n;
        }
    }
}
