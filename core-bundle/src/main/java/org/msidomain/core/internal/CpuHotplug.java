package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.msidomain.api.CpuInfo;
import org.msidomain.parent.MsiParent;

/**
 * CPU hotplug: a CPU going offline hands every interrupt steered to it to an online CPU (x86 {@code fixup_irqs}
 * and the generic {@code irq_migrate_all_off_this_cpu} / {@code migrate_one_irq}); one coming online takes
 * targets again. The parent keeps the dying CPU's interrupts off from the start and while it is offline, so a
 * message that still reaches it is held there (x86: its IRR); each old target is freed only after that was checked
 * and, if held, sent again to the new target ({@link StorageWriter#retarget} and its release do both).
 *
 * <p>Threads: every method but {@link #cpus} is called holding the control lock. The delivery path reads no
 * state of this class: the dying CPU's controller is what holds its messages.
 */
final class CpuHotplug {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    private final MsiParent parent;
    private final OnlineCpus online;
    private final IrqTable irqs;
    private final StorageWriter writer;
    private final Containment containment;

    CpuHotplug(MsiParent parent, OnlineCpus online, IrqTable irqs, StorageWriter writer, Containment containment) {
        this.parent = parent;
        this.online = online;
        this.irqs = irqs;
        this.writer = writer;
        this.containment = containment;
    }

    /** Linux's CPU hot-unplug as far as interrupts go: no new vectors there, then every interrupt moved off it. */
    void offline(int cpu) {
        online.check(cpu);
        if (!online.online(cpu)) {
            return; // already offline: Linux's online file takes 0 again without complaint
        }
        if (online.mask().cardinality() == 1) {
            throw new IllegalStateException("CPU " + cpu + " is the last online CPU: it cannot go offline");
        }
        // the dying CPU runs fixup_irqs with interrupts off; set_cpu_online(false) comes first: no new targets there
        parent.cpuOffline(cpu);
        online.set(cpu, false);
        for (IrqDesc desc : irqs.values()) {
            if (!desc.reserved && desc.cpu == cpu) {
                if (desc.managed && desc.device.writable() && !desc.affinity.intersects(online.mask())) {
                    shutdownManaged(desc);
                } else {
                    migrate(desc, cpu);
                }
            }
        }
    }

    /**
     * {@code migrate_one_irq} for a managed interrupt whose mask has no online CPU left: {@code irq_shutdown} with
     * {@code IRQD_MANAGED_SHUTDOWN}. Arrivals are held in the domain, the source is masked (it latches), then the old
     * vector is freed after the dying CPU's IRR check: a message found there becomes the held one.
     */
    private void shutdownManaged(IrqDesc desc) {
        DeviceState d = desc.device;
        desc.parentMasked = true;
        containment.underBusLock(d, () -> {
            d.provider().ops().mask(d.storage(), desc);
            desc.sourceMasked = true;
        });
        int cpu = desc.cpu;
        int vector = desc.vector;
        writer.releaseNow(desc, cpu, vector); // its IRR bit is delivered to the old slot: held as pending
        desc.managedDown = true;
        desc.reserved = true; // no target until it starts again
        desc.cpu = 0;
        desc.vector = parent.reservationId();
    }

    /**
     * {@code irq_affinity_online_cpu}: managed interrupts shut down whose mask holds the CPU start again (a requested
     * one: a vector in its mask, the source unmasked unless the driver masked it, a latched event delivered once).
     */
    private void startManaged(int cpu) {
        for (IrqDesc desc : irqs.values()) {
            if (desc.managedDown && desc.affinity.get(cpu) && desc.device.writable()) {
                DeviceState d = desc.device;
                desc.managedDown = false;
                if (desc.started) {
                    containment.underBusLock(d, () -> writer.startup(d, desc));
                }
            }
        }
    }

    /** Linux's CPU online as far as interrupts go: the CPU takes interrupts and vectors again. */
    void online(int cpu) {
        online.check(cpu);
        if (online.online(cpu)) {
            return;
        }
        online.set(cpu, true);
        parent.cpuOnline(cpu);
        startManaged(cpu);
    }

    /** Every CPU with its state and vectors in use (a query: no lock; the counts are a moment's). */
    List<CpuInfo> cpus() {
        BitSet up = online.view();
        List<CpuInfo> out = new ArrayList<>(online.cpus());
        for (int cpu = 0; cpu < online.cpus(); cpu++) {
            out.add(new CpuInfo(cpu, up.get(cpu), parent.used(cpu)));
        }
        return out;
    }

    /**
     * {@code migrate_one_irq}: to the online CPUs of the affinity mask, or, if none is left, to any online CPU with
     * the affinity broken (the mask becomes the online CPUs, as {@code irq_do_set_affinity} stores it).
     */
    private void migrate(IrqDesc desc, int dying) {
        BitSet up = online.mask();
        BitSet targets = desc.affinity == null ? up : (BitSet) desc.affinity.clone();
        targets.and(up);
        boolean broken = targets.isEmpty();
        if (broken) {
            targets = up;
        }
        DeviceState d = desc.device;
        if (!d.writable()) {
            desc.pendingAffinity = targets; // moved when a provider binds and restores
        } else if (!moveWithin(d, desc, targets)) {
            LOG.log(Level.WARNING, "IRQ{0}: set affinity failed: no free vector on CPUs {1}", desc.irq,
                    CpuMask.list(targets));
            return;
        }
        if (broken && !desc.managed) {
            desc.affinity = targets;
            LOG.log(Level.WARNING, "IRQ {0}: no longer affine to CPU{1}", desc.irq, dying);
        }
    }

    /** Moves to the target CPU the parent chooses, else the next ones (a two-step move needs a shared id). */
    private boolean moveWithin(DeviceState d, IrqDesc desc, BitSet targets) {
        BitSet left = (BitSet) targets.clone();
        for (int cpu = parent.bestCpu(d, left); cpu >= 0; cpu = parent.bestCpu(d, left)) {
            int to = cpu;
            Runnable[] release = new Runnable[1];
            try {
                containment.underBusLock(d, () -> release[0] = writer.retarget(d, desc, to));
            } catch (IllegalStateException refused) {
                if (!d.writable()) { // the provider failed: the device keeps its message until restored
                    desc.pendingAffinity = targets;
                    return true;
                }
                left.clear(to);
                continue;
            }
            release[0].run(); // after the unlock: the IRR check on the dying CPU, then the old vector freed
            return true;
        }
        return false;
    }
}
