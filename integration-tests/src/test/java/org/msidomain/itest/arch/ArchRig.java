package org.msidomain.itest.arch;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.gicv2m.internal.V2mParent;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.imsic.internal.ImsicParent;
import org.msidomain.its.internal.ItsParent;
import org.msidomain.parent.MsiParent;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.x86.internal.X86Parents;

/**
 * The bundled machine of an architecture (its PCI functions from real dumps and the platform devices ims0 and
 * queue0) with the core domain on that architecture's parent and the real PCI and platform providers, without a
 * framework: the architecture-independent scenarios run on each.
 */
final class ArchRig implements AutoCloseable {

    static final String[] ARCHS = { "x86", "arm64-gicv3-its", "arm64-gicv2m", "riscv-aia-imsic" };

    final String arch;
    final SimMachine machine;
    final MsiParent parent;
    final MsiDomainImpl domain;
    final AtomicLong delivered = new AtomicLong();
    private long nextServiceId = 10;

    ArchRig(String arch) throws InterruptedException {
        this.arch = arch;
        machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(arch.equals("x86") ? "default" : arch)));
        parent = switch (arch) {
            case "x86" -> X86Parents.of(machine);
            case "arm64-gicv3-its" -> new ItsParent(machine);
            case "arm64-gicv2m" -> new V2mParent(machine);
            case "riscv-aia-imsic" -> new ImsicParent(machine);
            default -> throw new IllegalArgumentException(arch);
        };
        domain = new MsiDomainImpl(machine, parent);
        bind(new PciStorageOps(), "pci");
        bind(new PlatformStorageOps(), "platform");
        settle();
    }

    long bind(MsiStorageOps ops, String type) {
        long id = nextServiceId++;
        domain.bindStorageOps(ops, Map.of("service.id", id, "service.ranking", (int) id, MsiStorageOps.STORAGE_TYPE, type,
                "msi.provider.name", type));
        return id;
    }

    void settle() throws InterruptedException {
        if (!domain.awaitSettled(30_000)) {
            throw new IllegalStateException("binder did not settle");
        }
    }

    /** Attaches a handler that counts into {@link #delivered}. */
    void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> delivered.incrementAndGet());
    }

    HwDevice device(String id) {
        return machine.device(id).orElseThrow();
    }

    /** Events merged with one already pending, in the machine (IRR, PBA, pending bits) and in the domain. */
    long merged() {
        return machine.coalescedMessages() + domain.mergedWhileMasked();
    }

    long spurious() {
        long s = 0;
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            s += domain.spurious(cpu);
        }
        return s;
    }

    @Override
    public void close() {
        domain.deactivate();
    }
}
