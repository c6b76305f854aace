package org.msidomain.its.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.irqchip.GicIts;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.MachineSpec;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * The bundled {@code arm64-gicv3-its} machine (QEMU virt's ITS at 0x08080000 with 8192 LPIs, the N1SDP root port
 * 00:00.0, the default machine's PCI functions, ims0 and queue0) with the ITS parent, the core domain and the PCI and
 * platform providers bound, without a framework. Handlers count per CPU.
 */
final class ItsRig implements AutoCloseable {

    /** GITS_TRANSLATER of the machine: its ITS base 0x08080000 + 0x10040 (Arm IHI 0069, 12.19). */
    static final long TRANSLATER = 0x0809_0040L;

    final SimMachine machine;
    final GicIts its;
    final ItsParent parent;
    final MsiDomainImpl domain;
    /** Handled interrupts per CPU, of every irq the rig counts. */
    final AtomicLongArray perCpu;

    ItsRig() throws InterruptedException {
        this(MachineLoader.build(MachineLoader.bundled(ItsParent.ARCH)));
    }

    ItsRig(MachineSpec spec) throws InterruptedException {
        machine = new SimMachine(spec);
        its = machine.irqchip(GicIts.class).orElseThrow();
        parent = new ItsParent(machine);
        domain = new MsiDomainImpl(machine, parent);
        perCpu = new AtomicLongArray(machine.cpuCount());
        bind(1, new PciStorageOps(), "pci");
        bind(2, new PlatformStorageOps(), "platform");
        if (!domain.awaitSettled(10_000)) {
            throw new IllegalStateException("binder did not settle");
        }
    }

    private void bind(long id, MsiStorageOps ops, String type) {
        domain.bindStorageOps(ops, Map.of("service.id", id, MsiStorageOps.STORAGE_TYPE, type, "msi.provider.name", type));
    }

    /** Attaches a handler that counts per CPU (request_irq: starts the interrupt). */
    void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> perCpu.incrementAndGet(cpu));
    }

    HwDevice device(String id) {
        return machine.device(id).orElseThrow();
    }

    long total() {
        long sum = 0;
        for (int cpu = 0; cpu < perCpu.length(); cpu++) {
            sum += perCpu.get(cpu);
        }
        return sum;
    }

    int cpuOf(int irq) {
        return domain.irq(irq).orElseThrow().cpu();
    }

    int lpiOf(int irq) {
        return domain.irq(irq).orElseThrow().vector();
    }

    /** The config space bytes of a PCI function: its MSI capability is its storage. */
    byte[] config(String id) {
        var config = device(id).config().orElseThrow();
        byte[] bytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) config.read8(i);
        }
        return bytes;
    }

    @Override
    public void close() {
        domain.deactivate();
    }
}
