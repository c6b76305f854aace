package org.msidomain.bench;

import java.util.concurrent.TimeUnit;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.SimMachine;
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
 * A provider leaves and a new one binds: the domain restores every live vector through it (a new
 * storage per device, every message rewritten). The time from the bind until the domain has settled.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@State(Scope.Benchmark)
public class HotSwapBenchmark {

    @Param({ "10000", "100000" })
    int vectors;
    private MsiDomainImpl domain;
    private long serviceId = 1;

    @Setup(Level.Trial)
    public void boot() {
        int devices = (vectors + 2047) / 2048;
        SimMachine machine = Machines.platform(vectors / 200 + 1, devices);
        domain = Machines.domain(machine, new BenchSlotOps(), "platform");
        int left = vectors;
        for (int d = 0; d < devices; d++) {
            int n = Math.min(2048, left);
            domain.allocate("dev" + d, n);
            left -= n;
        }
    }

    /** The old provider leaves before each measurement (its unbind is not measured). */
    @Setup(Level.Invocation)
    public void unbind() {
        domain.unbindStorageOps(null, java.util.Map.of("service.id", serviceId));
        Machines.settle(domain);
        serviceId++;
    }

    @TearDown(Level.Trial)
    public void stop() {
        domain.deactivate();
    }

    @Benchmark
    public void restore() {
        Machines.bind(domain, new BenchSlotOps(), "platform", serviceId);
    }
}
