package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.Map;

import org.msidomain.api.IrqHandler;
import org.msidomain.api.MsiEvents;
import org.msidomain.parent.MsiParent;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageRequest;

/**
 * Per-irq control of allocated vectors: affinity, masking at the source or the parent, attaching a handler
 * (which starts a reserved vector), and restoring a storage's registers from the descriptors.
 *
 * <p>Threads: every method is called holding the control lock (a control operation, or
 * {@link #restoreThrough} from a binding event on the binder thread).
 */
final class IrqControl {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    private final MsiParent parent;
    private final OnlineCpus online;
    private final VectorTable table;
    private final StorageWriter writer;
    private final DeviceTable devices;
    private final EventPoster events;
    private final Containment containment;
    private final DomainLookup lookup;
    /** Attaches a storage created to restore through (remapped or not). */
    private final VectorAllocator allocator;

    IrqControl(MsiParent parent, OnlineCpus online, VectorTable table, StorageWriter writer, DeviceTable devices,
            EventPoster events, Containment containment, DomainLookup lookup, VectorAllocator allocator) {
        this.parent = parent;
        this.online = online;
        this.table = table;
        this.writer = writer;
        this.devices = devices;
        this.events = events;
        this.containment = containment;
        this.lookup = lookup;
        this.allocator = allocator;
    }

    /** Restores the live vectors of a storage through the provider it was just bound to (binding events). */
    void restoreThrough(DeviceState d, ProviderBinding binding) {
        try {
            int needed = d.descs.lastIndex() + 1;
            allocator.attach(d, binding.ops().createStorage(d.hw, new StorageRequest(needed, d.variant, true)));
            if (d.info().hwsize() < needed) {
                throw new IllegalStateException("its storage " + d.info().chipName() + " holds " + d.info().hwsize()
                        + " vectors, the device needs " + needed);
            }
            writer.restore(d, false);
            LOG.log(Level.INFO, "restored {0} vectors of {1} through {2}", d.descs.size(), d.id(),
                    binding.symbolicName());
            events.post(MsiEvents.DEVICE_RESTORED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.PROVIDER,
                    binding.symbolicName(), MsiEvents.VECTORS, d.descs.size()));
        } catch (RuntimeException e) {
            containment.stillOwner(e);
            d.fail("provider " + binding.symbolicName() + " failed to restore: " + e.getMessage());
            LOG.log(Level.ERROR, "{0}: {1}", d.id(), d.reason());
            events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.PROVIDER,
                    binding.symbolicName(), MsiEvents.REASON, d.reason()));
        }
    }

    void restore(String device) {
        for (DeviceState d : devices.storages(lookup.device(device).id())) {
            if (!d.primary && d.descs.isEmpty()) {
                continue; // a secondary storage without vectors has nothing to restore
            }
            if (!d.writable()) {
                throw new IllegalStateException("device " + device + (d.primary ? "" : " storage " + d.type())
                        + " cannot be restored: " + d.reason());
            }
            if (!d.descs.isEmpty()) {
                containment.contain(d, () -> writer.restore(d, true));
            }
        }
    }

    void setAffinity(int irq, int cpu) {
        IrqDesc desc = lookup.desc(irq);
        online.check(cpu);
        java.util.BitSet one = new java.util.BitSet();
        one.set(cpu);
        apply(desc, one);
    }

    void setAffinity(int irq, java.util.Set<Integer> cpus) {
        IrqDesc desc = lookup.desc(irq);
        apply(desc, CpuMask.of(irq, cpus, online.cpus()));
    }

    /**
     * Linux's {@code irq_do_set_affinity} (on x86 {@code apic_set_affinity}, {@code assign_vector_locked}): an irq
     * whose CPU is in the new mask stays where it is; otherwise the parent takes a target on the CPU of the mask it
     * chooses (x86: the one with the most free vectors), and the effective affinity is that one CPU. The mask is stored only
     * when that succeeded ({@code -ENOSPC} leaves the old one).
     */
    private void apply(IrqDesc desc, java.util.BitSet mask) {
        if (desc.managed) {
            // irq_can_set_affinity_usr: a managed interrupt's affinity is the kernel's (-EIO)
            throw new IllegalStateException("irq " + desc.irq + " is managed: its affinity " + CpuMask.list(desc.affinity)
                    + " is fixed by its spread");
        }
        if (!mask.intersects(online.mask())) {
            // irq_do_set_affinity hands the chip only online CPUs and refuses an empty rest (-EINVAL)
            throw new IllegalStateException("irq " + desc.irq + ": no online CPU in " + CpuMask.list(mask));
        }
        if (desc.reserved) {
            desc.affinity = mask; // taken at startup, when the handler is attached (activation fits the mask)
            return;
        }
        if (mask.get(desc.cpu)) {
            desc.affinity = mask;
            desc.pendingAffinity = null;
            return;
        }
        DeviceState d = desc.device;
        if (!d.writable()) {
            desc.pendingAffinity = mask; // applied when a provider binds and restores
            return;
        }
        // One CPU is taken as asked (one the message cannot reach is refused by the parent's compose, as before);
        // among several only the CPUs the message reaches count, as Linux searches the online ones and brings
        // no CPU online that the message cannot address (x86: no x2APIC CPU without remapping).
        java.util.BitSet up = (java.util.BitSet) mask.clone();
        up.and(online.mask());
        // Whether the CPU has room is the parent's to say (allocate refuses): a move keeps a global id (an LPI, an
        // SPI) and needs no new one, even where every id is taken.
        int cpu = up.cardinality() == 1 ? up.nextSetBit(0) : parent.bestCpu(d, up);
        if (cpu < 0) {
            throw new IllegalStateException("no free vector on any CPU of " + CpuMask.list(up));
        }
        Runnable[] releaseOld = new Runnable[1];
        containment.underBusLock(d, () -> releaseOld[0] = writer.retarget(d, desc, cpu));
        desc.affinity = mask;
        releaseOld[0].run(); // after the unlock: the device uses the new message now
    }

    /** An irq's affinity mask: a pending one if any (Linux shows {@code pending_mask}), else the one in force. */
    java.util.Set<Integer> affinityMask(int irq) {
        IrqDesc desc = lookup.desc(irq);
        java.util.BitSet pending = desc.pendingAffinity;
        return CpuMask.set(pending != null ? pending : desc.affinity, online.cpus());
    }

    void mask(int irq) {
        IrqDesc desc = lookup.desc(irq);
        DeviceState d = desc.device;
        desc.masked = true;
        if (d.writable() && d.has(StorageFlag.CAN_MASK)) {
            containment.underBusLock(d, () -> d.provider().ops().mask(d.storage(), desc));
            desc.sourceMasked = true;
        }
        if (!desc.reserved && desc.started) {
            writer.maskAtDestination(d, desc, true); // after the source, as pci_msi_mask then cond_mask_parent
        }
        if (!desc.sourceMasked || d.has(StorageFlag.MASK_PARENT)) {
            desc.parentMasked = true;
        }
    }

    void unmask(int irq) {
        IrqDesc desc = lookup.desc(irq);
        DeviceState d = desc.device;
        desc.masked = false;
        if (!desc.started || desc.managedDown) {
            return; // unmasked at startup, when the handler is attached or a CPU of its mask comes online
        }
        if (!desc.reserved) {
            writer.maskAtDestination(d, desc, false); // before the source, as cond_unmask_parent then pci_msi_unmask
        }
        if (desc.parentMasked) {
            desc.parentMasked = false;
            if (!desc.reserved && desc.takePending()) {
                table.accept(desc.cpu, desc.vector); // resend, as Linux does for IRQS_PENDING
            }
        }
        if (desc.sourceMasked && d.writable() && !desc.reserved) {
            containment.underBusLock(d, () -> d.provider().ops().unmask(d.storage(), desc));
            desc.sourceMasked = false;
        }
    }

    /**
     * Attaches an irq's action (request_irq). The first one starts the interrupt ({@code irq_startup}):
     * a reserved vector gets its real vector, the source is unmasked, an event latched meanwhile is sent
     * once; another one only replaces the action.
     */
    void setHandler(int irq, String name, IrqHandler handler) {
        IrqDesc desc = lookup.desc(irq);
        DeviceState d = desc.device;
        String previousName = desc.action();
        IrqHandler previous = desc.handler();
        desc.setHandler(name, handler); // the action first, so a latched message finds it
        if (desc.started) {
            return;
        }
        if (!d.writable()) {
            desc.started = true; // the storage is started when a provider binds and restores
            if (!desc.reserved) {
                writer.releaseHeld(d, desc);
            }
            return;
        }
        try {
            containment.underBusLock(d, () -> writer.startup(d, desc));
        } catch (RuntimeException e) {
            desc.setHandler(previousName, previous); // refused (no free vector): nothing attached
            throw e;
        }
    }

    /**
     * Detaches an irq's action (free_irq): the last one shuts the interrupt down ({@code irq_shutdown}
     * masks at the source; until the next handler, arrivals are held as Linux's {@code handle_edge_irq}
     * holds them without an action, {@code IRQS_PENDING}, and sent once at the next startup).
     */
    void removeHandler(int irq) {
        IrqDesc desc = lookup.desc(irq);
        desc.parentMasked = true; // before the action goes: a message on its way is held, not lost
        desc.setHandler("", null);
        if (!desc.started) {
            return;
        }
        desc.started = false;
        DeviceState d = desc.device;
        if (d.writable()) {
            Runnable[] release = { () -> { } };
            containment.underBusLock(d, () -> release[0] = writer.shutdown(d, desc));
            release[0].run(); // after the unlock: the device no longer uses a vector given back
        }
    }
}
