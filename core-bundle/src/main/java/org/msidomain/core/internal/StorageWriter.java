package org.msidomain.core.internal;

import java.util.Collection;

import org.msidomain.api.MsiMsg;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;

/**
 * The sequences that touch a device's storage: program fresh descriptors, restore every live one after
 * a provider binds, re-target one, deactivate one. Each runs under the storage's bus lock
 * ({@code lock}/{@code unlock} around every change of its state). Control path only.
 */
final class StorageWriter {

    private final VectorDomain vectors;
    private final VectorTable table;

    StorageWriter(VectorDomain vectors, VectorTable table) {
        this.vectors = vectors;
        this.table = table;
    }

    /** Activates fresh descriptors: writes their composed messages unmasked, then enables the storage. */
    void program(DeviceState d, Collection<IrqDesc> fresh, boolean enable) {
        MsiStorageOps ops = d.provider().ops();
        MsiStorage s = d.storage();
        ops.lock(s);
        try {
            for (IrqDesc desc : fresh) {
                MsiMsg msg = vectors.compose(desc.cpu, desc.vector);
                ops.writeMsg(s, desc, msg);
                desc.setMsg(msg);
                applyMask(ops, s, d, desc);
            }
        } finally {
            ops.unlock(s);
        }
        if (enable) {
            s.enable();
        }
    }

    /**
     * Rewrites every live descriptor's message and mask state through a newly bound storage, the way
     * Linux restores MSI state after resume; affinity changes deferred while unbound take effect here.
     */
    void restore(DeviceState d) {
        MsiStorageOps ops = d.provider().ops();
        MsiStorage s = d.storage();
        ops.lock(s);
        try {
            for (IrqDesc desc : d.descriptors()) {
                if (desc.wantedCpu >= 0) {
                    retarget(d, desc, desc.wantedCpu);
                    desc.wantedCpu = -1;
                } else {
                    ops.writeMsg(s, desc, desc.msg());
                }
                applyMask(ops, s, d, desc);
            }
        } finally {
            ops.unlock(s);
        }
        s.enable();
    }

    /**
     * Moves a descriptor to a new (CPU, vector): the new slot is installed before the message changes,
     * and the old one is released only after the storage's write returned, which flushes messages the
     * device sent with the old content. Caller holds the bus lock or takes it around this.
     */
    void retarget(DeviceState d, IrqDesc desc, int cpu) {
        int newVector = vectors.allocate(cpu);
        table.install(cpu, newVector, desc);
        MsiMsg msg = vectors.compose(cpu, newVector);
        try {
            d.provider().ops().writeMsg(d.storage(), desc, msg);
        } catch (RuntimeException e) {
            table.uninstall(cpu, newVector);
            vectors.release(cpu, newVector);
            throw e;
        }
        desc.setMsg(msg);
        int oldCpu = desc.cpu;
        int oldVector = desc.vector;
        desc.cpu = cpu;
        desc.vector = newVector;
        release(desc, oldCpu, oldVector);
    }

    /** Deactivates a descriptor (mask, zero message unless a hypervisor owns the table), then frees its slot. */
    void deactivate(DeviceState d, IrqDesc desc) {
        if (d.writable()) {
            MsiStorageOps ops = d.provider().ops();
            MsiStorage s = d.storage();
            ops.lock(s);
            try {
                if (d.has(StorageFlag.CAN_MASK)) {
                    ops.mask(s, desc);
                    desc.sourceMasked = true;
                }
                if (!d.has(StorageFlag.HYPERVISOR_OWNED)) {
                    ops.writeMsg(s, desc, MsiMsg.ZERO);
                    desc.setMsg(MsiMsg.ZERO);
                }
            } finally {
                ops.unlock(s);
            }
        }
        release(desc, desc.cpu, desc.vector);
    }

    private void release(IrqDesc desc, int cpu, int vector) {
        desc.fold(cpu, table.uninstall(cpu, vector), table.cpus());
        vectors.release(cpu, vector);
    }

    /** Makes the storage's mask match what the driver wants; storage that cannot mask is masked at the parent. */
    private static void applyMask(MsiStorageOps ops, MsiStorage s, DeviceState d, IrqDesc desc) {
        if (!d.has(StorageFlag.CAN_MASK)) {
            return;
        }
        if (desc.masked) {
            ops.mask(s, desc);
            desc.sourceMasked = true;
        } else {
            ops.unmask(s, desc);
            desc.sourceMasked = false;
        }
    }
}
