package org.msidomain.x86.internal;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Machine;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.msidomain.spi.StorageFlag;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * VT-d interrupt remapping stacked on the x86 vector domain, as Linux stacks {@code intel_ir_domain_ops} on the
 * vector domain (drivers/iommu/intel/irq_remapping.c): a device stores a remappable-format message with its
 * entry's handle, which never changes; the vector and destination live in the entry (IRTE), so an affinity change
 * rewrites the entry only and needs no interim vector. Multi-message MSI takes a block of consecutive entries
 * ({@code MSI_FLAG_MULTI_PCI_MSI}). The remapping unit's own interrupts bypass it and sit on the vector domain.
 */
@Component(service = MsiParent.class, property = MsiParent.ARCH + "=x86")
public final class IrqRemapParent implements MsiParent {

    private static final System.Logger LOG = System.getLogger("org.msidomain.parent.x86");
    private static final Set<ParentFeature> FEATURES = Set.copyOf(EnumSet.of(ParentFeature.MULTI_PCI_MSI,
            ParentFeature.RESERVATION_MODE));

    private final VectorParent vectors;
    private final RemapTable table;
    /** The entry of each remapped interrupt. */
    private final Map<ParentIrq, Integer> entries = new IdentityHashMap<>();
    /** The first entry of each multi-message block, by storage. */
    private final Map<ParentDevice, Integer> blocks = new IdentityHashMap<>();
    /** Storages whose missing source id was logged once. */
    private final Set<ParentDevice> warned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    @Activate
    public IrqRemapParent(@Reference(name = "machine", target = "(&(" + MsiParent.ARCH + "=x86)(" + MsiParent.REMAPPING
            + "=true))") Machine machine) {
        this.vectors = new VectorParent(machine);
        this.table = new RemapTable(machine.remapping().orElseThrow(
                () -> new IllegalStateException("the machine remaps interrupts but has no remapping unit")));
    }

    /** Whether a storage's interrupts are remapped: all but the remapping unit's own. */
    private static boolean remapped(ParentDevice device) {
        return !device.has(StorageFlag.REMAPPING_UNIT);
    }

    @Override
    public String arch() {
        return "x86";
    }

    @Override
    public String name() {
        return "INTEL-IR";
    }

    @Override
    public String prefix(ParentDevice device) {
        return remapped(device) ? "IR-" : vectors.prefix(device);
    }

    @Override
    public Set<ParentFeature> features(ParentDevice device) {
        return remapped(device) ? FEATURES : vectors.features(device);
    }

    @Override
    public String unsupported(ParentFeature feature, ParentDevice device) {
        return vectors.unsupported(feature, device);
    }

    @Override
    public int cpus() {
        return vectors.cpus();
    }

    @Override
    public int ids() {
        return vectors.ids();
    }

    @Override
    public int free(int cpu) {
        return vectors.free(cpu);
    }

    @Override
    public int used(int cpu) {
        return vectors.used(cpu);
    }

    /** An entry holds a 32-bit destination: a remapped interrupt reaches every APIC id. */
    @Override
    public int bestCpu(ParentDevice device, BitSet candidates) {
        return remapped(device) ? vectors.bestCpu(candidates, true) : vectors.bestCpu(device, candidates);
    }

    @Override
    public int allocate(ParentIrq irq, int cpu) {
        return vectors.allocate(irq, cpu);
    }

    @Override
    public int allocateForMove(ParentIrq irq, int oldCpu, int oldId, int cpu) {
        return remapped(irq.device()) ? vectors.allocate(irq, cpu) : vectors.allocateForMove(irq, oldCpu, oldId, cpu);
    }

    @Override
    public void release(int cpu, int id) {
        vectors.release(cpu, id);
    }

    /**
     * Points the interrupt's entry at (CPU, vector) and returns the handle message. A multi-message block takes
     * consecutive entries: the device adds the vector number to the handle as a sub-handle, so every irq of the
     * block stores the first entry's handle.
     */
    @Override
    public MsiMsg activate(ParentIrq irq, int cpu, int id) {
        ParentDevice device = irq.device();
        if (!remapped(device)) {
            return vectors.activate(irq, cpu, id);
        }
        int entry = entry(irq);
        int requesterId = device.requesterId();
        if (requesterId < 0 && warned.add(device)) {
            // Linux's pr_warn when set_hpet_sid finds no scope: the entry validates nothing
            LOG.log(System.Logger.Level.WARNING, "{0}: no source id (requester id): its remapping entries validate no source",
                    device.id());
        }
        table.program(entry, vectors.apicId(cpu), id, RemapTable.sourceValidation(device.storageType(), requesterId));
        return RemapTable.message(entry - (device.blockSize() > 1 ? irq.index() : 0));
    }

    private int entry(ParentIrq irq) {
        Integer known = entries.get(irq);
        if (known != null) {
            return known;
        }
        ParentDevice device = irq.device();
        int entry;
        if (device.blockSize() > 1) {
            Integer base = blocks.get(device);
            if (base == null) {
                base = table.allocate(device.blockSize());
                blocks.put(device, base);
            }
            entry = base + irq.index();
        } else {
            entry = table.allocate(1);
        }
        entries.put(irq, entry);
        return entry;
    }

    /** Under remapping the device keeps its handle and the entry points at the reservation vector. */
    @Override
    public MsiMsg reserve(ParentIrq irq) {
        return remapped(irq.device()) ? activate(irq, 0, X86Msi.RESERVATION_VECTOR) : vectors.reserve(irq);
    }

    /** Clears and gives back the entries of interrupts being freed (a block as a whole). */
    @Override
    public void deactivate(List<? extends ParentIrq> irqs) {
        Map<ParentDevice, Integer> blocksFreed = new HashMap<>();
        Set<Integer> singles = new HashSet<>();
        for (ParentIrq irq : irqs) {
            Integer entry = entries.remove(irq);
            if (entry == null) {
                continue;
            }
            ParentDevice device = irq.device();
            Integer base = blocks.get(device);
            if (base != null && entry >= base && entry < base + device.blockSize()) {
                blocksFreed.putIfAbsent(device, base);
            } else {
                singles.add(entry);
            }
        }
        singles.forEach(entry -> table.free(entry, 1));
        blocksFreed.forEach((device, base) -> {
            table.free(base, device.blockSize());
            blocks.remove(device);
            entries.values().removeIf(e -> e >= base && e < base + device.blockSize());
        });
    }

    @Override
    public int reservationId() {
        return vectors.reservationId();
    }

    @Override
    public void cpuOffline(int cpu) {
        vectors.cpuOffline(cpu);
    }

    @Override
    public void cpuOnline(int cpu) {
        vectors.cpuOnline(cpu);
    }

    @Override
    public void holdCpu(int cpu) {
        vectors.holdCpu(cpu);
    }

    @Override
    public void resumeCpu(int cpu) {
        vectors.resumeCpu(cpu);
    }

    @Override
    public boolean takeHeld(int cpu, int id) {
        return vectors.takeHeld(cpu, id);
    }

    @Override
    public boolean isHeld(int cpu, int id) {
        return vectors.isHeld(cpu, id);
    }

    /** The entry of an interrupt, or -1 (for tests and views). */
    int entryOf(ParentIrq irq) {
        Integer e = entries.get(irq);
        return e == null ? -1 : e;
    }
}
