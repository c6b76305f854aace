package org.msidomain.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The generic MSI irq domain (the consumer API a driver uses). Implemented by the core bundle and
 * registered as a service.
 *
 * <p>Control operations (allocate, free, affinity, mask, unmask) are serialized by the domain and may
 * block briefly; they throw {@link IllegalArgumentException} for bad arguments (unknown device or irq,
 * CPU out of range, count beyond capacity) and {@link IllegalStateException} when the state does not
 * allow the operation, in both cases leaving the domain unchanged. Queries never block.
 */
@ProviderType
public interface MsiDomain {

    /** Passed to {@link #allocateAt} to take the first free index. */
    int ANY_INDEX = -1;

    /**
     * Allocates {@code count} vectors of a device at indices 0..count-1, programs their messages and
     * enables the device's MSI storage (the analog of {@code pci_alloc_irq_vectors}).
     *
     * @return the irq numbers, in index order
     */
    default int[] allocate(String device, int count) {
        return allocate(device, count, "");
    }

    /**
     * Allocates vectors choosing the storage variant: a storage-type specific word passed to the
     * provider ({@code msi} or {@code msix} for PCI), or an empty string for the provider's preference.
     * On a device with several storages ({@code HwDevice#storageTypes()}), a word that is one of its storage
     * types allocates from that storage (with the provider's preferred variant); any other word is a variant
     * of the default storage.
     *
     * @return the irq numbers, in index order
     */
    int[] allocate(String device, int count, String variant);

    /**
     * Allocates vectors with their affinity spread over the CPUs (Linux's {@code pci_alloc_irq_vectors_affinity}
     * with {@code PCI_IRQ_AFFINITY} and {@code irq_create_affinity_masks}): the first {@code preVectors} and the last
     * {@code postVectors} are not spread (every CPU, not managed); each one between is a managed interrupt with its
     * share of the CPUs, in order, the first ones one more where they do not divide evenly. A managed interrupt
     * stays within its mask: its affinity cannot be changed, and when the last CPU of its mask goes offline it is
     * shut down (masked at the source, its vector released, an event meanwhile latched) and started again, the
     * latched event delivered once, when a CPU of its mask comes back. Storage that cannot mask is refused.
     *
     * @return the irq numbers, in index order
     * @throws IllegalArgumentException if the spread vectors are fewer than one or more than the CPUs
     * @since 1.4
     */
    int[] allocateAffinity(String device, int count, String variant, int preVectors, int postVectors);

    /**
     * Allocates one more vector of a device at {@code index} (or the first free one with
     * {@link #ANY_INDEX}) without disturbing the live ones (dynamic MSI-X).
     *
     * @return the irq number
     */
    int allocateAt(String device, int index);

    /**
     * The most vectors the device's storage can hold (the analog of {@code pci_msix_vec_count}), as the
     * bound provider says.
     *
     * @throws IllegalStateException if no provider serves the device now
     */
    int maxVectors(String device);

    /**
     * The most vectors one of a device's storages can hold, as the provider bound to that storage says: the
     * default storage's is {@link #maxVectors(String)}, a secondary one's (an IMS slot array beside MSI-X) is
     * asked here.
     *
     * @throws IllegalArgumentException if the device has no such storage
     * @throws IllegalStateException    if no provider serves that storage now
     * @since 1.4
     */
    int maxVectors(String device, String storage);

    /**
     * Allocates one more vector of one of a device's storages at {@code index} (or the first free one with
     * {@link #ANY_INDEX}) without disturbing the live ones: {@link #allocateAt(String, int)} for a secondary
     * storage.
     *
     * @return the irq number
     * @throws IllegalArgumentException if the device has no such storage, or the index is beyond it or in use
     * @throws IllegalStateException    if no provider serves that storage now, or it cannot add vectors while enabled
     * @since 1.4
     */
    int allocateAt(String device, String storage, int index);

    /** Frees every vector of a device and disables its MSI storage. */
    void free(String device);

    /** Frees one vector (dynamic MSI-X). */
    void freeIrq(int irq);

    /**
     * Rewrites every live descriptor's message and mask state to the device and enables its storage
     * again, as after a reset or a resume (Linux's {@code pci_restore_msi_state}).
     *
     * @throws IllegalStateException if no provider serves the device now
     */
    void restore(String device);

    /** Steers an interrupt to a CPU: its affinity mask becomes that one CPU ({@link #setAffinity(int, Set)}). */
    void setAffinity(int irq, int cpu);

    /**
     * Sets an interrupt's affinity mask (Linux's {@code irq_set_affinity}, {@code /proc/irq/N/smp_affinity_list}):
     * the interrupt is steered to one CPU of the mask, its effective affinity ({@link IrqInfo#cpu()}). Where its
     * CPU is in the mask it stays there; otherwise the vector matrix picks the CPU of the mask with the most free
     * vectors (the lowest on a tie), as x86 Linux does. While no provider can write the message, or until the
     * handler starts a reserved vector, the mask is remembered and applied then.
     *
     * @param cpus the CPUs, at least one, each below {@link #cpuCount()}
     * @throws IllegalArgumentException for an empty mask or a CPU out of range
     * @throws IllegalStateException if no CPU of the mask has a free vector (nothing changes)
     * @since 1.3
     */
    void setAffinity(int irq, Set<Integer> cpus);

    /**
     * An interrupt's affinity mask, in ascending order: every CPU until one was set (Linux's default affinity);
     * a mask waiting for a provider is shown, as Linux shows a pending one. The effective CPU is
     * {@link IrqInfo#cpu()}.
     *
     * @throws IllegalArgumentException if the irq is not allocated
     * @since 1.3
     */
    Set<Integer> affinityMask(int irq);

    /** Masks an interrupt: at the source where the storage can, else at the destination. */
    void mask(int irq);

    /** Unmasks an interrupt; a message that arrived while masked is delivered once. */
    void unmask(int irq);

    /**
     * Attaches the action of an interrupt (the analog of {@code request_irq}), replacing any other. The first
     * one starts the interrupt: until then it is masked at the source where the storage can, and an event
     * raised meanwhile is delivered once now.
     */
    void setHandler(int irq, String name, IrqHandler handler);

    /**
     * Detaches the action of an interrupt (the analog of {@code free_irq}): the interrupt is shut down, masked
     * at the source where the storage can; a later event is held (latched at the source, else in the domain)
     * and delivered once when a handler is attached again.
     */
    void removeHandler(int irq);

    /**
     * The irq of a device's MSI index.
     *
     * @throws IllegalArgumentException if the device has no vector at that index
     */
    int irqOf(String device, int index);

    /**
     * The irq of an MSI index of one of a device's storages.
     *
     * @throws IllegalArgumentException if the device has no such storage or no vector at that index
     * @since 1.3
     */
    int irqOf(String device, String storage, int index);

    /**
     * The storage type of the storage an irq belongs to: the device's default one ({@code pci}) or a secondary
     * one ({@code platform} for a slot array beside MSI-X), so a caller can raise it
     * ({@code HwDevice#raise(String, int)}). {@link IrqInfo} names the device and index, this the storage.
     *
     * @throws IllegalArgumentException if the irq is not allocated
     * @since 1.3
     */
    String storageOf(int irq);

    /** A snapshot of one interrupt. */
    Optional<IrqInfo> irq(int irq);

    /** Snapshots of every allocated interrupt, by irq number. */
    List<IrqInfo> irqs();

    /**
     * Every device of the machine with its binding state: one entry per storage of a device (the default
     * storage first), and the devices the description lists that are not part of the machine yet as
     * {@link BindingState#WAITING}, after the live ones: their storage type is empty (it is known only once
     * their kind creates them), their reason names the missing kind.
     */
    List<DeviceInfo> devices();

    /**
     * Since when a device has not been served by a provider: the moment it became {@link BindingState#UNBOUND}
     * or {@link BindingState#FAILED} (the domain's start for a device never bound), or empty while it is
     * {@link BindingState#BOUND}. A failure that turns into unbound keeps the earlier moment: the device
     * has not been served since then.
     *
     * @throws IllegalArgumentException for an unknown device
     * @since 1.1
     */
    Optional<Instant> unboundSince(String device);

    /** Every bound storage provider. */
    List<ProviderInfo> providers();

    /** The number of CPUs interrupts can be steered to. */
    int cpuCount();

    /**
     * Takes a CPU offline (Linux's CPU hot-unplug, {@code fixup_irqs} / {@code irq_migrate_all_off_this_cpu}): it
     * takes no new vectors, and every interrupt steered to it moves to an online CPU of its affinity mask (any
     * online CPU if none is left: the affinity is broken and becomes the online CPUs, as Linux does), each the way
     * its storage moves (masked at the source, in two steps where it cannot mask, by its remapping entry under
     * remapping). A message that reached the dying CPU meanwhile is sent again on the new CPU, once, before the
     * old vector is freed. A CPU already offline stays so.
     *
     * @throws IllegalArgumentException for a CPU out of range
     * @throws IllegalStateException for the last online CPU (nothing changes)
     * @since 1.4
     */
    void cpuOffline(int cpu);

    /**
     * Brings a CPU online again: it takes new vectors and may be chosen by affinity changes; interrupts that moved
     * away stay where they are, as in Linux. A CPU already online stays so.
     *
     * @throws IllegalArgumentException for a CPU out of range
     * @since 1.4
     */
    void cpuOnline(int cpu);

    /**
     * Every CPU, by number: online or offline, and its device vectors in use.
     *
     * @since 1.4
     */
    List<CpuInfo> cpus();

    /**
     * Messages that arrived while their interrupt was masked at the destination with one already pending,
     * and merged into it (Linux's single IRQS_PENDING flag): several arrivals, one resend on unmask.
     */
    long mergedWhileMasked();

    /**
     * Messages of one interrupt merged with one already pending in the domain (held while masked at the
     * destination, {@link #mergedWhileMasked}) or in a CPU's IRR (while it had interrupts disabled, as in a move):
     * with the merges at the source ({@code HwDevice#merged}) the interrupt's accounts close, raised = delivered +
     * merged.
     *
     * @throws IllegalArgumentException if the irq is not allocated
     * @since 1.4
     */
    long merged(int irq);

    /**
     * Messages delivered to this interrupt's handler that its device did not send (Linux counts them as
     * {@code unhandled} in {@code /proc/irq/N/spurious} when the handler answers {@code IRQ_NONE}): a non-maskable
     * MSI moved in two steps uses its new vector on the old CPU for a moment, and if that vector belongs to this
     * interrupt there, a message of the moving one that landed in the window reaches this handler too (x86
     * {@code msi_set_affinity} accepts it); when this interrupt's own message already waited there, the moving
     * one is counted instead (its resend finds nothing of its own). With it the accounts close per interrupt:
     * raised = delivered + merged - unhandled. These deliveries also count in the interrupt's per-CPU counts, as
     * in {@code /proc/interrupts}, and never in {@link #spurious(int)}.
     *
     * @throws IllegalArgumentException if the irq is not allocated
     * @since 1.5
     */
    long unhandled(int irq);

    /** Messages that reached a CPU on a vector no interrupt owns (spurious), per CPU. */
    long spurious(int cpu);

    /**
     * Waits until the domain has processed every provider arrival and departure it was told of.
     *
     * @return false if that did not happen within the time, or the domain was deactivated first (at once then)
     */
    boolean awaitSettled(long timeoutMillis) throws InterruptedException;
}
