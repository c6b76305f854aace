package org.msidomain.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.gicv2m.internal.V2mParent;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.imsic.internal.ImsicParent;
import org.msidomain.its.internal.ItsParent;
import org.msidomain.parent.MsiParent;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.x86.internal.X86Parents;
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
 * {@link DeliveryBenchmark#fire} on each architecture: one MSI-X interrupt of virtio-net (00:01.0) from the device
 * to the handler on the bundled machine of the architecture, through its controller model (the local APIC; the ITS
 * translation; the GICv2m frame and distributor; the IMSIC interrupt file) and the core's dispatch table.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ArchDeliveryBenchmark {

    @Param({ "x86", "arm64-gicv3-its", "arm64-gicv2m", "riscv-aia-imsic" })
    public String arch;

    private MsiDomainImpl domain;
    private HwDevice device;

    @Setup(Level.Trial)
    public void boot() throws InterruptedException {
        SimMachine machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(arch.equals("x86") ? "default" : arch)));
        MsiParent parent = switch (arch) {
            case "x86" -> X86Parents.of(machine);
            case "arm64-gicv3-its" -> new ItsParent(machine);
            case "arm64-gicv2m" -> new V2mParent(machine);
            default -> new ImsicParent(machine);
        };
        domain = new MsiDomainImpl(machine, parent);
        domain.bindStorageOps(new PciStorageOps(),
                Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci", "msi.provider.name", "pci"));
        if (!domain.awaitSettled(10_000)) {
            throw new IllegalStateException("binder did not settle");
        }
        int irq = domain.allocate("00:01.0", 1)[0];
        domain.setAffinity(irq, 1);
        domain.setHandler(irq, "bench", (i, cpu) -> { });
        device = machine.device("00:01.0").orElseThrow();
    }

    @TearDown(Level.Trial)
    public void shutdown() {
        domain.deactivate();
    }

    @Benchmark
    public void fire() {
        device.raise(0);
    }
}
