package org.msidomain.parent;

import java.util.BitSet;
import java.util.List;
import java.util.Set;

import org.msidomain.api.MsiMsg;

/**
 * A parent irq domain (Linux's parent domain and its {@code msi_parent_ops}): the interrupt-controller side of
 * MSI. The generic domain allocates each interrupt a target, a (CPU, id) pair where id is what the controller
 * delivers to that CPU (an x86 vector, an LPI INTID, a GICv2m SPI, an IMSIC identity), from the parent; the
 * parent composes the message the device stores and programs its controller so that message reaches the
 * target.
 *
 * <p>Registered as a service with {@value #ARCH} = {@link #arch()}. Every method is called on the domain's
 * control path, one call at a time (the domain's control lock), never on the interrupt path.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface MsiParent {

    /** Service property: the architecture the parent serves ({@code x86}, {@code arm64-gicv3-its}, ...). */
    String ARCH = "msi.arch";

    /**
     * Service property of the {@link org.msidomain.hw.Machine}: {@code true} if it remaps interrupts (an x86 machine
     * with an interrupt-remapping unit), so the remapping parent serves it instead of the plain vector domain.
     * The machine also carries {@value #ARCH}.
     */
    String REMAPPING = "msi.remapping";

    /** The architecture: one of the machine description's {@code "arch"} values. */
    String arch();

    /** The parent's name, as Linux names the domain ({@code VECTOR}, {@code INTEL-IR}, {@code ITS}, ...). */
    String name();

    /**
     * The prefix of a storage's chip name under this parent (Linux's {@code msi_parent_ops.prefix}:
     * {@code IR-}, {@code ITS-}, {@code GICv2m-}; x86's vector domain and the RISC-V IMSIC have none).
     */
    String prefix(ParentDevice device);

    /** What the parent supports for a storage. */
    Set<ParentFeature> features(ParentDevice device);

    /** Why the parent lacks a feature for a storage, in a few words for a refusal line. */
    default String unsupported(ParentFeature feature, ParentDevice device) {
        return "the parent domain " + name() + " has no " + feature;
    }

    /** The number of CPUs. */
    int cpus();

    /** The ids the controller delivers to a CPU lie in {@code [0, ids())}: the size of a CPU's dispatch table. */
    int ids();

    /** Free targets on a CPU. */
    int free(int cpu);

    /** Targets in use on a CPU. */
    int used(int cpu);

    /**
     * The CPU a new target of this storage should go to, among {@code candidates} (null: every CPU): an online
     * CPU with a free target that the storage's message can address, as the parent's allocator chooses (x86:
     * the one with the most free vectors, the lowest on a tie); -1 if none.
     */
    int bestCpu(ParentDevice device, BitSet candidates);

    /**
     * Allocates a target on a CPU for an interrupt and returns its id.
     *
     * @throws IllegalStateException if the CPU has no free target or is offline
     */
    int allocate(ParentIrq irq, int cpu);

    /**
     * Allocates the target of a move of a source that cannot mask ({@link ParentFeature#INTERIM_MOVE}), or -1 if
     * the CPU has none that suits. The default is {@link #allocate}. The id is also the interim target's on the old
     * CPU, where another interrupt may own it (x86 {@code irq_matrix_alloc} takes the new CPU's lowest free vector,
     * whatever the old CPU holds under that number): the domain then shares that slot with its owner for the
     * move and tells the two apart with {@link #isHeld}, which a parent that hands out such an id implements.
     */
    default int allocateForMove(ParentIrq irq, int oldCpu, int oldId, int cpu) {
        return allocate(irq, cpu);
    }

    /** Gives a target back; the domain calls it only once no message can use it any more. */
    void release(int cpu, int id);

    /**
     * Programs the controller so that the interrupt's messages reach {@code (cpu, id)}, and returns the message
     * its storage must hold (Linux's activate and {@code irq_compose_msi_msg}). The domain writes the storage
     * when that message differs from the one it holds.
     */
    MsiMsg activate(ParentIrq irq, int cpu, int id);

    /**
     * The message of an interrupt in reservation mode ({@link ParentFeature#RESERVATION_MODE}): it owns no target,
     * and whatever arrives by it is counted as spurious.
     */
    default MsiMsg reserve(ParentIrq irq) {
        throw new UnsupportedOperationException(name() + " has no reservation mode");
    }

    /**
     * The id a reserved interrupt's views show on CPU 0 (x86: the shared reservation vector 0xFF); it owns no slot
     * there. -1 if the parent has no reservation mode.
     */
    default int reservationId() {
        return -1;
    }

    /** Gives back what {@link #activate} took for these interrupts (remapping entries, ITS events). */
    default void deactivate(List<? extends ParentIrq> irqs) {
    }

    /**
     * Masks at the destination ({@code irq_chip_mask_parent}); with {@link ParentFeature#MASK_AT_DESTINATION}. A target
     * the parent activates starts masked there; the domain unmasks it when the interrupt starts (its handler is
     * attached) and masks it on shutdown and when the driver masks: after the source on mask, before it on unmask.
     */
    default void mask(ParentIrq irq) {
    }

    /** Unmasks at the destination; what was latched there meanwhile is delivered once. */
    default void unmask(ParentIrq irq) {
    }

    /**
     * A CPU goes offline: from now on it takes no target and its interrupts stay disabled, so what still reaches
     * it is held there ({@link #takeHeld}) until the domain moved every interrupt off it.
     */
    void cpuOffline(int cpu);

    /** A CPU comes online again and takes targets and interrupts. */
    void cpuOnline(int cpu);

    /**
     * Holds interrupts off on a CPU ({@code local_irq_disable} there): what arrives is held until
     * {@link #resumeCpu}. Used by {@link ParentFeature#INTERIM_MOVE}.
     */
    default void holdCpu(int cpu) {
    }

    /** Lets a CPU take interrupts again after {@link #holdCpu}; what it held is delivered. */
    default void resumeCpu(int cpu) {
    }

    /**
     * Whether a message for {@code id} is held on a CPU whose interrupts are held off or that is offline, clearing
     * it (x86: the IRR bit). The domain sends such a message again to the interrupt's new target before it
     * releases the old one. A parent whose controller can hold more than one event for an id (an IMSIC's pending bit
     * beside one the hart has not taken) may carry the others to the new target itself, in {@link #release}.
     */
    default boolean takeHeld(int cpu, int id) {
        return false;
    }

    /**
     * Whether a message for {@code id} is held on a CPU whose interrupts are held off or that is offline, leaving
     * it there (x86: the IRR bit, Linux's {@code lapic_vector_set_in_irr}): it is delivered to the interrupt that
     * owns {@code id} on that CPU when the CPU takes interrupts again. The domain asks it for an interim target of
     * {@link ParentFeature#INTERIM_MOVE} that another interrupt owns on the old CPU.
     *
     * @since 1.1
     */
    default boolean isHeld(int cpu, int id) {
        return false;
    }
}
