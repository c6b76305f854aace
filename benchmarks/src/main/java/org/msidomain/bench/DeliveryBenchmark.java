package org.msidomain.bench;

import java.util.concurrent.TimeUnit;

import org.msidomain.api.IrqHandler;
import org.msidomain.hw.HwDevice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One interrupt from the device to the handler: the device reads its MSI-X entry, writes the message,
 * the local APIC decodes it, the core's per-CPU vector table finds the descriptor, counts it per CPU
 * and calls the handler. {@code directDispatch} is the floor: a handler called from an array by vector.
 * Run with {@code -prof gc} to see the allocation rate of the delivery path (0 B/op).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class DeliveryBenchmark {

    /** The devices each benchmark thread fires: different devices, whose vectors are on different CPUs. */
    static final String[] DEVICES = { "00:01.0", "00:03.0" };

    private Platform platform;
    private final IrqHandler[] direct = new IrqHandler[256];

    @Setup(Level.Trial)
    public void boot() {
        platform = new Platform();
        for (int t = 0; t < DEVICES.length; t++) {
            int irq = platform.domain.allocate(DEVICES[t], 1)[0];
            platform.domain.setAffinity(irq, t);
            platform.domain.setHandler(irq, "bench", (i, cpu) -> { });
        }
        for (int v = 0; v < direct.length; v++) {
            direct[v] = (i, cpu) -> { };
        }
    }

    @TearDown(Level.Trial)
    public void shutdown() {
        platform.close();
    }

    /** Per-thread state: the device this thread fires. */
    @State(Scope.Thread)
    public static class Source {
        HwDevice device;
        int vector;

        @Setup(Level.Trial)
        public void pick(DeliveryBenchmark bench, ThreadParams thread) {
            String id = DEVICES[thread.getThreadIndex() % DEVICES.length];
            device = bench.platform.machine.device(id).orElseThrow();
            vector = bench.platform.domain.irq(bench.platform.domain.irqOf(id, 0)).orElseThrow().vector();
        }
    }

    @Benchmark
    public void fire(Source source) {
        source.device.raise(0);
    }

    @Benchmark
    @Threads(2)
    public void fire2Threads(Source source) {
        source.device.raise(0);
    }

    @Benchmark
    public void directDispatch(Source source, Blackhole bh) {
        direct[source.vector].handle(source.vector, 0);
        bh.consume(source);
    }
}
