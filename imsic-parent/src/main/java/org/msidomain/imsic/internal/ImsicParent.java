package org.msidomain.imsic.internal;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.LocalApic;
import org.msidomain.hw.Machine;
import org.msidomain.hw.irqchip.Imsic;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The RISC-V AIA IMSIC as the MSI parent (Linux {@code drivers/irqchip/irq-riscv-imsic-platform.c} on the vector
 * state of {@code irq-riscv-imsic-state.c}): a target is (hart, interrupt identity), the message is the write of the
 * identity to the hart's interrupt file ({@code imsic_irq_compose_vector_msg}), masking is the identity's
 * {@code eie} bit ({@code imsic_vector_mask}) and an affinity change rewrites the message.
 *
 * <p>A move ({@code imsic_irq_set_affinity}) takes a new identity on the new hart, enables it if the old one was
 * enabled and disables the old one ({@code imsic_vector_move}); the old identity is freed only when the domain
 * releases it, after the device's read-back, and then its {@code eip} bit, set by a message sent with the old
 * content meanwhile, is carried to the new target by a write of the new identity to the new hart's file
 * ({@code __imsic_local_sync}). PCI MSI and MSI-X move with {@code IRQCHIP_MOVE_DEFERRED} in Linux: a source that
 * cannot mask first gets an interim message (old hart, new identity) with the old hart's interrupts held
 * ({@link ParentFeature#INTERIM_MOVE}), whose {@code eip} is checked the same way.
 */
@Component(service = MsiParent.class, property = MsiParent.ARCH + "=" + ImsicParent.ARCH_NAME)
public final class ImsicParent implements MsiParent {

    static final String ARCH_NAME = "riscv-aia-imsic";

    // imsic_msi_parent_ops: supported MSI_GENERIC_FLAGS_MASK | MSI_FLAG_PCI_MSIX (no MSI_FLAG_MULTI_PCI_MSI),
    // required MSI_FLAG_PCI_MSI_MASK_PARENT; imsic_init_dev_msi_info sets IRQCHIP_MOVE_DEFERRED for PCI only
    private static final Set<ParentFeature> PCI = Set.copyOf(EnumSet.of(ParentFeature.MESSAGE_PER_TARGET,
            ParentFeature.MASK_AT_DESTINATION, ParentFeature.PCI_MSI_MASK_PARENT, ParentFeature.INTERIM_MOVE));
    private static final Set<ParentFeature> DEVICE_MSI = Set.copyOf(EnumSet.of(ParentFeature.MESSAGE_PER_TARGET,
            ParentFeature.MASK_AT_DESTINATION));

    /** Linux's {@code struct imsic_vector}: one per (hart, identity). */
    private static final class Vector {
        final int cpu;
        final int id;
        ParentIrq irq;
        /** The driver's view of eie ({@code vec->enable}). */
        boolean enable;
        /** The vector this one moved to, until it is released ({@code move_next}). */
        Vector moveNext;
        /** The vector this one was moved from, until that one is released ({@code move_prev}). */
        Vector movePrev;

        Vector(int cpu, int id) {
            this.cpu = cpu;
            this.id = id;
        }
    }

    private final Machine machine;
    private final Imsic imsic;
    private final IdentityMatrix matrix;
    private final Vector[][] vectors;
    /** Each interrupt's vector in force ({@code irq_data.chip_data}). */
    private final Map<ParentIrq, Vector> current = new IdentityHashMap<>();

    @Activate
    public ImsicParent(@Reference(name = "machine", target = "(" + MsiParent.ARCH + "=" + ARCH_NAME + ")") Machine machine) {
        this.machine = machine;
        this.imsic = machine.irqchip(Imsic.class).orElseThrow(() -> new IllegalArgumentException(
                "the " + machine.arch() + " machine has no IMSIC: the " + ARCH_NAME + " parent cannot serve it"));
        int harts = machine.cpuCount();
        matrix = new IdentityMatrix(harts, imsic.identities());
        vectors = new Vector[harts][imsic.identities() + 1];
        for (int cpu = 0; cpu < harts; cpu++) {
            for (int id = 0; id <= imsic.identities(); id++) {
                vectors[cpu][id] = new Vector(cpu, id);
            }
        }
    }

    @Override
    public String arch() {
        return ARCH_NAME;
    }

    /** The base domain's irq_chip name ({@code imsic_irq_base_chip}). */
    @Override
    public String name() {
        return "IMSIC";
    }

    /** {@code imsic_msi_parent_ops} sets no {@code .prefix}: PCI-MSIX-0000:00:04.0, as on x86 without remapping. */
    @Override
    public String prefix(ParentDevice device) {
        return "";
    }

    @Override
    public Set<ParentFeature> features(ParentDevice device) {
        return "pci".equals(device.storageType()) ? PCI : DEVICE_MSI;
    }

    @Override
    public String unsupported(ParentFeature feature, ParentDevice device) {
        return feature == ParentFeature.MULTI_PCI_MSI
                ? "multi-message MSI is not supported by the IMSIC (one identity per MSI vector, as Linux's imsic_irq_domain_alloc)"
                : MsiParent.super.unsupported(feature, device);
    }

    @Override
    public int cpus() {
        return matrix.harts();
    }

    /** Identities 0 to {@link Imsic#identities()} of a hart's file. */
    @Override
    public int ids() {
        return imsic.identities() + 1;
    }

    @Override
    public int free(int cpu) {
        return matrix.free(cpu);
    }

    @Override
    public int used(int cpu) {
        return matrix.used(cpu);
    }

    /** {@code imsic_vector_alloc} -> {@code irq_matrix_alloc}: the hart of the mask with the most free identities. */
    @Override
    public int bestCpu(ParentDevice device, BitSet candidates) {
        return matrix.bestHart(candidates);
    }

    @Override
    public int allocate(ParentIrq irq, int cpu) {
        return own(irq, cpu, matrix.allocate(cpu));
    }

    /**
     * The new identity of a two-step move: Linux's lowest free one (no interim if it is the old identity), unless the
     * interim (old hart, new identity) would reach another interrupt of the old hart, where Linux retriggers that
     * one too; then the lowest free on both harts.
     */
    @Override
    public int allocateForMove(ParentIrq irq, int oldCpu, int oldId, int cpu) {
        int id = matrix.allocateForMove(cpu, oldCpu, oldId);
        return id < 0 ? -1 : own(irq, cpu, id);
    }

    private int own(ParentIrq irq, int cpu, int id) {
        Vector v = vectors[cpu][id];
        v.irq = irq; // imsic_vector_alloc: disabled, no move
        v.enable = false;
        v.moveNext = null;
        v.movePrev = null;
        // a write that reached the identity after its last owner freed it is nobody's (Linux leaves the bit)
        imsic.clearPending(cpu, id);
        return id;
    }

    /**
     * Points the interrupt at (hart, identity). A fresh target starts disabled; a target on another hart is a move
     * ({@code imsic_vector_move}); an identity the interrupt does not own on its own hart is the interim message of a
     * two-step move ({@code tmp_vec}), which stays disabled so what hits it is left pending for {@link #takeHeld}.
     */
    @Override
    public MsiMsg activate(ParentIrq irq, int cpu, int id) {
        Vector v = vectors[cpu][id];
        Vector old = current.get(irq);
        if (v.irq != irq) {
            if (old == null || old.cpu != cpu || v.irq != null) {
                throw new IllegalStateException("identity " + id + " of CPU " + cpu + " is not allocated to irq " + irq.irq());
            }
            return compose(cpu, id); // the interim (old hart, new identity)
        }
        if (old != null && old != v) {
            move(old, v);
        }
        current.put(irq, v);
        return compose(cpu, id);
    }

    /** {@code imsic_vector_move}: the new vector takes the old one's enable, the old one is disabled. */
    private void move(Vector old, Vector v) {
        v.enable = old.enable;
        setEnabled(v, v.enable);
        old.enable = false;
        setEnabled(old, false);
        old.moveNext = v;
        v.movePrev = old;
    }

    /** {@code imsic_irq_compose_vector_msg}: the hart's interrupt file (guest index 0), data = the identity. */
    private MsiMsg compose(int cpu, int id) {
        long address = imsic.fileAddress(cpu) + Imsic.SETEIPNUM_LE;
        return new MsiMsg((int) address, (int) (address >>> 32), id);
    }

    /**
     * Frees an identity once no message uses it ({@code __imsic_local_sync} on its hart, then
     * {@code imsic_vector_free}): a moved-away identity's pending bit is carried to the interrupt's target by a
     * write of that identity to its hart's file; an identity released with the move undone (the write of the new
     * message failed) gives the interrupt back to the old one, with what it caught.
     */
    @Override
    public void release(int cpu, int id) {
        Vector v = vectors[cpu][id];
        matrix.release(cpu, id);
        setEnabled(v, false);
        boolean pending = imsic.clearPending(cpu, id);
        Vector to = v.moveNext;
        if (to == null && v.movePrev != null && current.get(v.irq) == v) {
            to = v.movePrev; // the move failed: back to the old vector (still allocated)
            to.moveNext = null;
            to.enable = v.enable;
            setEnabled(to, to.enable);
            current.put(v.irq, to);
        } else if (to != null) {
            to = current.getOrDefault(v.irq, to);
            if (to.movePrev == v) {
                to.movePrev = null;
            }
        } else if (current.get(v.irq) == v) {
            current.remove(v.irq); // freed, or shut down with no target
        }
        if (pending && to != null) {
            imsic.seteipnum(to.cpu, to.id); // writel(mvec->local_id, mlocal->msi_va)
        }
        v.irq = null;
        v.enable = false;
        v.moveNext = null;
        v.movePrev = null;
    }

    /** Disables what was activated for interrupts being freed; {@link #release} frees the identities. */
    @Override
    public void deactivate(List<? extends ParentIrq> irqs) {
        for (ParentIrq irq : irqs) {
            Vector v = current.get(irq);
            if (v != null) {
                v.enable = false;
                setEnabled(v, false);
            }
        }
    }

    /** {@code imsic_irq_mask} -> {@code imsic_vector_mask}: the identity's eie cleared. */
    @Override
    public void mask(ParentIrq irq) {
        Vector v = current.get(irq);
        if (v != null) {
            v.enable = false;
            setEnabled(v, false);
        }
    }

    /** {@code imsic_vector_unmask}: eie set; an identity pending meanwhile is delivered once. */
    @Override
    public void unmask(ParentIrq irq) {
        Vector v = current.get(irq);
        if (v != null) {
            v.enable = true;
            setEnabled(v, true);
        }
    }

    private void setEnabled(Vector v, boolean on) {
        imsic.setEnabled(v.cpu, v.id, on);
    }

    /** {@code imsic_dying_cpu}: the matrix takes the hart offline; it runs the migration with interrupts off. */
    @Override
    public void cpuOffline(int cpu) {
        hart(cpu).disableInterrupts();
        matrix.setOnline(cpu, false);
    }

    /** {@code imsic_starting_cpu}: the hart takes identities and interrupts again. */
    @Override
    public void cpuOnline(int cpu) {
        matrix.setOnline(cpu, true);
        hart(cpu).enableInterrupts();
    }

    /** The deferred move runs in the old hart's interrupt context: its interrupts ({@code sstatus.SIE}) held off. */
    @Override
    public void holdCpu(int cpu) {
        hart(cpu).disableInterrupts();
    }

    @Override
    public void resumeCpu(int cpu) {
        hart(cpu).enableInterrupts();
    }

    /**
     * What a held or offline hart holds for an identity, cleared. An identity its enabled file delivered but the hart
     * did not take (the CPU's request bit) is answered for the domain to send again. One pending in the file's
     * {@code eip} (disabled, as a moved-away identity is) is a separate event: carried here to the interrupt's
     * target by a write of the new identity to its file ({@code __imsic_local_sync}), so it honours that identity's
     * mask; an interim identity (owned by nobody) is answered too.
     */
    @Override
    public boolean takeHeld(int cpu, int id) {
        boolean requested = hart(cpu).testAndClearIrr(id);
        if (id < 1 || id > imsic.identities()) {
            return requested;
        }
        Vector v = vectors[cpu][id];
        Vector target = v.irq == null ? null : current.get(v.irq);
        if (target != null && target != v) {
            if (imsic.clearPending(cpu, id)) {
                imsic.seteipnum(target.cpu, target.id); // writel(mvec->local_id, mlocal->msi_va)
            }
            return requested;
        }
        return imsic.clearPending(cpu, id) | requested;
    }

    private LocalApic hart(int cpu) {
        if (cpu < 0 || cpu >= matrix.harts()) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (matrix.harts() - 1));
        }
        return machine.localApic(cpu);
    }
}
