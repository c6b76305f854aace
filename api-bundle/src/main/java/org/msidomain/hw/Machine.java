package org.msidomain.hw;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulated machine: CPUs with local APICs that accept message writes to the 0xFEExxxxx window,
 * and the devices that write them. Registered as a service by the hardware model.
 */
@ProviderType
public interface Machine {

    /**
     * The interrupt architecture: {@code x86} (local APICs at 0xFEExxxxx, optionally VT-d remapping),
     * {@code arm64-gicv3-its}, {@code arm64-gicv2m} or {@code riscv-aia-imsic}.
     *
     * @since 1.3
     */
    default String arch() {
        return "x86";
    }

    /**
     * The machine's interrupt controller of {@code type} ({@link org.msidomain.hw.irqchip.GicIts},
     * {@link org.msidomain.hw.irqchip.GicV2m}, {@link org.msidomain.hw.irqchip.Imsic}), if it has one.
     *
     * @since 1.3
     */
    default <T> Optional<T> irqchip(Class<T> type) {
        return Optional.empty();
    }

    /** The number of CPUs. */
    int cpuCount();

    /** The local APIC id of a CPU (CPU n has APIC id n unless the machine says otherwise). */
    int apicId(int cpu);

    /** The interrupt-remapping unit, if the machine has one with remapping enabled. */
    default java.util.Optional<InterruptRemapping> remapping() {
        return java.util.Optional.empty();
    }

    /** The local APIC of a CPU. */
    LocalApic localApic(int cpu);

    /** Every device, in bus order. */
    List<HwDevice> devices();

    /**
     * The devices the description lists that are not part of the machine yet (their kind has no model).
     *
     * @since 1.1
     */
    default List<WaitingDevice> waiting() {
        return List.of();
    }

    /**
     * Tells {@code listener} of every device that joins or leaves from now on. Devices that are already
     * part of the machine are not announced: read {@link #devices()} after adding the listener.
     *
     * @since 1.1
     */
    default void addListener(MachineListener listener) {
    }

    /** Stops telling {@code listener}. @since 1.1 */
    default void removeListener(MachineListener listener) {
    }

    /** A device by id ({@code 00:04.0} or {@code 0000:00:04.0}). */
    Optional<HwDevice> device(String id);

    /**
     * Performs a raw message write of {@code data} to {@code address}, as {@code fromDevice} would (its
     * requester id on the transaction), or with no requester id if null: anyone can try a forged
     * interrupt.
     *
     * @return what happened in the architecture's words: {@code delivered to CPUn vector 0xvv} (x86),
     *         {@code delivered to CPU1 LPI 8195} (ITS), {@code delivered to CPU0 SPI 83} (v2m),
     *         {@code delivered to CPU2 identity 5} (IMSIC), {@code held pending ...}, or {@code dropped: <reason>}
     * @throws IllegalArgumentException if {@code fromDevice} is not a device of the machine
     */
    String injectMessage(long address, int data, String fromDevice);

    /** Connects the local APICs to the domain; messages that arrive while none is connected are counted as lost. */
    void connect(VectorSink sink);

    /** Disconnects a sink if it is the connected one. */
    void disconnect(VectorSink sink);

    /**
     * Events merged into one already pending, as hardware merges edge interrupts: in a CPU's IRR while it
     * has interrupts disabled, in an MSI-X PBA bit or an MSI pending bit while the vector is masked, in a
     * platform slot's pending bit, in a DMAR unit's open status episode. Several events, one delivery.
     */
    long coalescedMessages();

    /** Messages the machine could not deliver (no APIC at the address, no sink), since boot. */
    long lostMessages();

    /**
     * The PCI view as pciutils' {@code lspci} prints it.
     *
     * @param verbosity 0, 1 ({@code -v}) or 2 ({@code -vv})
     * @param slot      a {@code [[domain:]bus:]dev.fn} filter, or null for every device
     */
    String lspci(int verbosity, String slot);
}
