package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.msidomain.api.MsiDomain;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentFeature;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageRequest;

/**
 * Allocation: gives a device's storage irq numbers and targets from the parent (Linux's
 * {@code msi_domain_alloc_irqs}, with the parent's reservation mode) and takes them back, through the device's
 * provider or, for a device that left, in the domain only.
 *
 * <p>Threads: every method is called holding the control lock (a control operation, or a binding event
 * on the binder thread); {@link #freeStorage} takes it again (it is reentrant).
 */
final class VectorAllocator {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");
    private static final int ANY_INDEX = MsiDomain.ANY_INDEX;

    private final DeviceTable devices;
    private final IrqTable irqs;
    private final MsiParent parent;
    private final OnlineCpus online;
    private final VectorTable table;
    private final StorageWriter writer;
    private final Containment containment;
    private final DomainLookup lookup;
    /** Runs a change under the control lock (the domain's lock wrapper). */
    private final Consumer<Runnable> locked;

    VectorAllocator(DeviceTable devices, IrqTable irqs, MsiParent parent, OnlineCpus online, VectorTable table,
            StorageWriter writer, Containment containment, DomainLookup lookup, Consumer<Runnable> locked) {
        this.devices = devices;
        this.irqs = irqs;
        this.parent = parent;
        this.online = online;
        this.table = table;
        this.writer = writer;
        this.containment = containment;
        this.lookup = lookup;
        this.locked = locked;
    }

    /**
     * Allocates with a spread ({@code irq_create_affinity_masks}): pre and post vectors keep the default affinity
     * (every CPU, not managed); the others are managed, each with its group of CPUs.
     */
    int[] allocateAffinity(String device, int count, String word, int pre, int post) {
        java.util.BitSet[] masks = spread(count, pre, post, online.cpus());
        spreadMasks = masks;
        try {
            return allocate(device, count, word);
        } finally {
            spreadMasks = null;
        }
    }

    /** The masks of the allocation in progress, by index (null: no spread). */
    private java.util.BitSet[] spreadMasks;

    /**
     * Linux's spread for one NUMA node ({@code group_cpus_evenly}): the spread vectors take the CPUs in order,
     * {@code cpus / n} each and the first {@code cpus % n} one more; pre and post vectors get null (every CPU).
     */
    static java.util.BitSet[] spread(int count, int pre, int post, int cpus) {
        int n = count - pre - post;
        if (pre < 0 || post < 0 || n < 1 || n > cpus) {
            throw new IllegalArgumentException("cannot spread " + count + " vectors with " + pre + " pre and " + post
                    + " post vectors over " + cpus + " CPUs: between 1 and " + cpus + " must be spread");
        }
        java.util.BitSet[] masks = new java.util.BitSet[count];
        int cpu = 0;
        for (int v = 0; v < n; v++) {
            int take = cpus / n + (v < cpus % n ? 1 : 0);
            java.util.BitSet mask = new java.util.BitSet(cpus);
            mask.set(cpu, cpu + take);
            cpu += take;
            masks[pre + v] = mask;
        }
        return masks;
    }

    int[] allocate(String device, int count, String word) {
        // a word that names one of the device's storages selects it; any other is a variant of the default one
        DeviceState named = devices.storages(lookup.device(device).id()).stream().filter(s -> s.type().equals(word))
                .findFirst().orElse(null);
        DeviceState d = named != null ? named : lookup.device(device);
        String variant = named != null ? "" : word;
        if (count < 1) {
            throw new IllegalArgumentException("vector count must be at least 1, not " + count);
        }
        if (!d.descs.isEmpty()) {
            throw new IllegalStateException("device " + device + " already has " + d.descs.size()
                    + " vectors; free them first");
        }
        int free = freeTotal();
        if (count > free) {
            throw new IllegalStateException("cannot allocate " + count + " vectors for " + device + ": only "
                    + free + " free");
        }
        boolean writable = d.provider() != null;
        if (writable) {
            attach(d, d.provider().ops().createStorage(d.hw, new StorageRequest(count, variant)));
            d.variant = variant;
            int room = d.info().hwsize();
            if (count > room) { // the provider accepted the request, its storage says otherwise: believe the storage
                String chip = d.info().chipName();
                abandonStorage(d);
                throw new IllegalArgumentException("cannot allocate " + count + " vectors for " + device
                        + ": its storage " + chip + " holds " + room);
            }
            if (count > 1 && d.has(StorageFlag.MULTI_MESSAGE) && !d.parentHas(ParentFeature.MULTI_PCI_MSI)) {
                // a parent without MSI_FLAG_MULTI_PCI_MSI (Linux's x86 MSI parent without remapping)
                String why = parent.unsupported(ParentFeature.MULTI_PCI_MSI, d);
                abandonStorage(d);
                throw new IllegalArgumentException("cannot allocate " + count + " MSI vectors for " + device
                        + ": " + why + "; ask for 1 or use MSI-X");
            }
        }
        if (spreadMasks != null && (!writable || !d.has(StorageFlag.CAN_MASK))) {
            // a managed interrupt shut down must have its events latched at the source
            if (writable) {
                abandonStorage(d);
            }
            throw new IllegalArgumentException("cannot spread the vectors of " + device + ": managed interrupts need "
                    + (writable ? "storage that can mask" : "a bound provider"));
        }
        List<IrqDesc> fresh = new ArrayList<>(count);
        // A multi-message block shares one message (a block of remapping entries, of events); its targets are each irq's own.
        d.blockSize = writable && d.has(StorageFlag.MULTI_MESSAGE) && count > 1 ? Integer.highestOneBit(count - 1) << 1 : 1;
        try {
            for (int index = 0; index < count; index++) {
                java.util.BitSet mask = spreadMasks == null ? null : spreadMasks[index];
                IrqDesc desc;
                if (mask != null && !mask.intersects(online.mask())) {
                    desc = newReservedDesc(d, index); // managed, no CPU of its mask online: shut down from the start
                    desc.managedDown = true;
                } else if (reserves(d)) {
                    desc = newReservedDesc(d, index);
                } else {
                    desc = mask == null ? newDesc(d, index) : newDescIn(d, index, mask);
                }
                desc.affinity = mask;
                desc.managed = mask != null;
                fresh.add(desc);
            }
            if (writable) {
                containment.contain(d, () -> writer.program(d, fresh, true));
            }
        } catch (RuntimeException e) {
            forget(d, fresh);
            abandonStorage(d);
            throw e;
        }
        return fresh.stream().mapToInt(desc -> desc.irq).toArray();
    }

    int allocateAt(String device, int index) {
        return allocateAt(lookup.device(device), device, index);
    }

    int allocateAt(String device, String storage, int index) {
        return allocateAt(lookup.storage(device, storage), device, index);
    }

    private int allocateAt(DeviceState d, String device, int index) {
        if (d.provider() == null) {
            throw new IllegalStateException("device " + device + " has no bound provider: " + d.reason());
        }
        boolean first = d.descs.isEmpty();
        if (first) {
            attach(d, d.provider().ops().createStorage(d.hw, new StorageRequest(1, d.variant)));
            d.blockSize = 1;
        }
        if (!d.has(StorageFlag.ALLOC_DYNAMIC)) {
            if (first) {
                abandonStorage(d);
            }
            throw new IllegalStateException(d.chipName() + " cannot add vectors while enabled");
        }
        int hwsize = d.info().hwsize();
        int at = index == ANY_INDEX ? firstFreeIndex(d, hwsize) : index;
        try {
            if (at < 0 || at >= hwsize) {
                throw new IllegalArgumentException("index " + index + " is beyond the table of " + device
                        + " (size " + hwsize + ")");
            }
            if (d.descs.contains(at)) {
                throw new IllegalArgumentException("index " + at + " of " + device + " is already in use");
            }
            IrqDesc desc = reserves(d) ? newReservedDesc(d, at) : newDesc(d, at);
            try {
                containment.contain(d, () -> writer.program(d, List.of(desc), first));
            } catch (RuntimeException e) {
                forget(d, List.of(desc));
                throw e;
            }
            return desc.irq;
        } catch (RuntimeException e) {
            if (first) {
                abandonStorage(d);
            }
            throw e;
        }
    }

    int maxVectors(String device) {
        return maxVectors(lookup.device(device), device);
    }

    int maxVectors(String device, String storage) {
        return maxVectors(lookup.storage(device, storage), device);
    }

    private int maxVectors(DeviceState d, String device) {
        if (d.provider() == null) {
            throw new IllegalStateException("device " + device + ": " + d.reason());
        }
        return d.provider().ops().maxVectors(d.hw);
    }

    void free(String device) {
        List<DeviceState> withVectors = devices.storages(lookup.device(device).id()).stream()
                .filter(s -> !s.descs.isEmpty()).toList();
        if (withVectors.isEmpty()) {
            throw new IllegalStateException("device " + device + " has no vectors to free");
        }
        withVectors.forEach(this::freeStorage); // every storage of the device, as the driver's teardown
    }

    /** Frees every vector of one storage and releases the storage. */
    private void freeStorage(DeviceState d) {
        locked.accept(() -> {
            List<IrqDesc> all = d.descriptors();
            try {
                containment.contain(d, () -> all.forEach(desc -> writer.deactivate(d, desc)));
            } catch (IllegalStateException providerFailed) {
                all.forEach(desc -> writer.deactivate(d, desc)); // storage dropped: frees the slots only
            }
            dropAll(d, all);
            if (d.writable()) {
                d.storage().disable();
                d.provider().ops().releaseStorage(d.storage());
            }
            d.dropStorage();
        });
    }

    void freeIrq(int irq) {
        IrqDesc desc = lookup.desc(irq);
        DeviceState d = desc.device;
        if (d.descs.size() == 1) {
            freeStorage(d);
            return;
        }
        if (!d.has(StorageFlag.ALLOC_DYNAMIC)) {
            throw new IllegalStateException(d.chipName() + " cannot free single vectors; free the device");
        }
        try {
            containment.contain(d, () -> writer.deactivate(d, desc));
        } catch (IllegalStateException providerFailed) {
            writer.deactivate(d, desc); // storage dropped: frees the slot only
        }
        writer.releaseEntries(d, List.of(desc));
        if (!desc.reserved) {
            parent.release(desc.cpu, desc.vector);
        }
        d.descs.remove(desc.index);
        irqs.remove(irq);
    }

    /**
     * Frees every vector of a storage of a device that left, in the domain only (vector table slots, irq
     * numbers, remapping entries): the device is gone, so nothing is written to it. Returns how many.
     */
    int forgetRemoved(DeviceState d) {
        d.removed = true;
        List<IrqDesc> all = d.descriptors();
        for (IrqDesc desc : all) {
            desc.setHandler("", null);
            if (!desc.reserved) {
                table.uninstall(desc.cpu, desc.vector);
            }
        }
        dropAll(d, all);
        return all.size();
    }

    private static boolean reserves(DeviceState d) {
        return StorageWriter.reservationMode(d);
    }

    private IrqDesc newDesc(DeviceState d, int index) {
        int cpu = parent.bestCpu(d, null);
        if (cpu < 0) {
            throw new IllegalStateException("no free vector on any CPU");
        }
        return newDesc(d, index, cpu);
    }

    private IrqDesc newDescIn(DeviceState d, int index, java.util.BitSet mask) {
        int cpu = parent.bestCpu(d, mask);
        if (cpu < 0) {
            throw new IllegalStateException("no free vector on any CPU of " + CpuMask.list(mask));
        }
        return newDesc(d, index, cpu);
    }

    private IrqDesc newReservedDesc(DeviceState d, int index) {
        IrqDesc desc = new IrqDesc(irqs.allocate(), d, index);
        desc.reserved = true;
        desc.cpu = 0;
        desc.vector = parent.reservationId();
        desc.blockSize = d.blockSize;
        d.descs.put(desc);
        irqs.put(desc);
        return desc;
    }

    private IrqDesc newDesc(DeviceState d, int index, int cpu) {
        IrqDesc desc = new IrqDesc(irqs.allocate(), d, index);
        desc.blockSize = d.blockSize;
        int vector;
        try {
            vector = parent.allocate(desc, cpu);
        } catch (IllegalStateException full) {
            irqs.remove(desc.irq); // the number goes back
            throw full;
        }
        desc.cpu = cpu;
        desc.vector = vector;
        try {
            table.install(cpu, vector, desc);
        } catch (IllegalStateException taken) {
            parent.release(cpu, vector);
            irqs.remove(desc.irq); // the number goes back
            throw taken;
        }
        d.descs.put(desc);
        irqs.put(desc);
        return desc;
    }

    /** Attaches a storage and asks the parent what it supports for it (Linux's {@code init_dev_msi_info}). */
    void attach(DeviceState d, org.msidomain.spi.MsiStorage storage) {
        d.attach(storage);
        d.parentFeatures = java.util.Set.copyOf(parent.features(d));
        d.parentPrefix = parent.prefix(d);
    }

    /** Free targets on the online CPUs. */
    int freeTotal() {
        int sum = 0;
        java.util.BitSet up = online.mask();
        for (int cpu = up.nextSetBit(0); cpu >= 0; cpu = up.nextSetBit(cpu + 1)) {
            sum += parent.free(cpu);
        }
        return sum;
    }

    /** Turns off and releases a storage whose first allocation failed, so the device is left disabled. */
    private static void abandonStorage(DeviceState d) {
        if (d.writable()) {
            try {
                d.storage().disable();
                d.provider().ops().releaseStorage(d.storage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0}: disabling after a failed allocation: {1}", d.id(), e.getMessage());
            }
        }
        d.dropStorage();
    }

    /** Undoes {@link #newDesc} for an allocation that failed half way. */
    private void forget(DeviceState d, List<IrqDesc> descs) {
        for (IrqDesc desc : descs) {
            if (!desc.reserved) {
                table.uninstall(desc.cpu, desc.vector);
            }
        }
        writer.releaseEntries(d, descs);
        releaseVectors(d, descs);
        for (IrqDesc desc : descs) {
            d.descs.remove(desc.index);
            irqs.remove(desc.irq);
        }
    }

    /** The domain's side of freeing every descriptor of a storage: remap entries, vectors, irq numbers. */
    private void dropAll(DeviceState d, List<IrqDesc> all) {
        writer.releaseEntries(d, all);
        writer.releaseStrays(d);
        releaseVectors(d, all);
        for (IrqDesc desc : all) {
            d.descs.remove(desc.index);
            irqs.remove(desc.irq);
        }
    }

    /** Gives the descriptors' vectors back, one by one (a multi-message block's too: each irq has its own). */
    private void releaseVectors(DeviceState d, List<IrqDesc> descs) {
        descs.stream().filter(desc -> !desc.reserved).forEach(desc -> parent.release(desc.cpu, desc.vector));
        d.blockSize = 1;
    }

    private static int firstFreeIndex(DeviceState d, int hwsize) {
        for (int i = 0; i < hwsize; i++) {
            if (!d.descs.contains(i)) {
                return i;
            }
        }
        throw new IllegalStateException("every entry of " + d.id() + " (" + hwsize + ") is in use");
    }
}
