package org.msidomain.gicv2m.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.irqchip.GicV2m;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.MachineSpec;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;

/**
 * The real hardware model, core domain, PCI and platform providers on the GICv2m parent, without a framework: the
 * bundled {@code arm64-gicv2m} machine (QEMU virt's frame 0x08020000 with SPIs 80-143, 4 CPUs, the default
 * machine's PCI functions, ims0 and queue0). Every message write the domain makes to a storage is counted.
 */
final class V2mRig implements AutoCloseable {

    final SimMachine machine;
    final V2mParent parent;
    final MsiDomainImpl domain;
    final GicV2m gic;
    /** Storage message writes (the core's writeMsg calls). */
    final AtomicInteger writes = new AtomicInteger();
    final AtomicLong handled = new AtomicLong();
    /** Handled per CPU, as the handlers saw their CPU. */
    final AtomicLongArray handledOn;

    V2mRig() throws InterruptedException {
        this(MachineLoader.build(MachineLoader.bundled(V2mParent.ARCH)));
    }

    V2mRig(MachineSpec spec) throws InterruptedException {
        machine = new SimMachine(spec);
        gic = machine.irqchip(GicV2m.class).orElseThrow();
        parent = new V2mParent(machine);
        domain = new MsiDomainImpl(machine, parent);
        handledOn = new AtomicLongArray(machine.cpuCount());
        bind(1, new PciStorageOps(), "pci");
        bind(2, new PlatformStorageOps(), "platform");
        if (!domain.awaitSettled(30_000)) {
            throw new IllegalStateException("binder did not settle");
        }
    }

    private void bind(long id, MsiStorageOps ops, String type) {
        domain.bindStorageOps(new Counting(ops), Map.of("service.id", id, MsiStorageOps.STORAGE_TYPE, type,
                "msi.provider.name", type));
    }

    /** Attaches a handler that counts per CPU. */
    void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> {
            handledOn.incrementAndGet(cpu);
            handled.incrementAndGet();
        });
    }

    IrqInfo info(int irq) {
        return domain.irq(irq).orElseThrow();
    }

    HwDevice device(String id) {
        return machine.device(id).orElseThrow();
    }

    String lspci(String slot) {
        return machine.lspci(2, slot);
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

    /** A provider's ops with the message writes counted. */
    private final class Counting implements MsiStorageOps {
        private final MsiStorageOps ops;

        Counting(MsiStorageOps ops) {
            this.ops = ops;
        }

        @Override
        public MsiStorage createStorage(HwDevice device, StorageRequest request) {
            return ops.createStorage(device, request);
        }

        @Override
        public int maxVectors(HwDevice device) {
            return ops.maxVectors(device);
        }

        @Override
        public java.util.Optional<String> decline(HwDevice device) {
            return ops.decline(device);
        }

        @Override
        public void releaseStorage(MsiStorage storage) {
            ops.releaseStorage(storage);
        }

        @Override
        public void writeMsg(MsiStorage storage, MsiDescView desc, MsiMsg msg) {
            writes.incrementAndGet();
            ops.writeMsg(storage, desc, msg);
        }

        @Override
        public void mask(MsiStorage storage, MsiDescView desc) {
            ops.mask(storage, desc);
        }

        @Override
        public void unmask(MsiStorage storage, MsiDescView desc) {
            ops.unmask(storage, desc);
        }

        @Override
        public void lock(MsiStorage storage) {
            ops.lock(storage);
        }

        @Override
        public void unlock(MsiStorage storage) {
            ops.unlock(storage);
        }
    }
}
