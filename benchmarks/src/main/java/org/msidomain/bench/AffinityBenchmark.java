package org.msidomain.bench;

import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Affinity changes on the default machine: a virtio MSI-X vector (maskable: one masked update) and the
 * ICH10 AHCI's non-maskable 32-bit MSI (Linux's two-step move with an interim vector and IRR check).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AffinityBenchmark {

    private Platform platform;
    private int msix;
    private int msi;
    private int next;

    @Setup(Level.Trial)
    public void boot() {
        platform = new Platform();
        msix = platform.domain.allocate("00:04.0", 1)[0];
        platform.domain.setHandler(msix, "bench", (i, cpu) -> { });
        msi = platform.domain.allocate("00:1f.2", 1)[0];
        platform.domain.setHandler(msi, "bench", (i, cpu) -> { });
    }

    @TearDown(Level.Trial)
    public void stop() {
        platform.close();
    }

    @Benchmark
    public void msixAffinity() {
        next = (next + 1) & 3;
        platform.domain.setAffinity(msix, next);
    }

    @Benchmark
    public void nonMaskableMsiAffinity() {
        next = (next + 1) & 3;
        platform.domain.setAffinity(msi, next);
    }
}
