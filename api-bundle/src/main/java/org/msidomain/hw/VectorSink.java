package org.msidomain.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the local APICs deliver: the domain's per-CPU vector table. Called on the hot path for every
 * accepted message; must not block, allocate or take a lock shared between CPUs.
 * <p>
 * A provider type: only the platform implements it (the core, for the hardware model that calls it), so a
 * method added here is a minor change that moves the core and the hardware model together and leaves the
 * storage provider bundles, which never see it, importing the package as before.
 */
@ProviderType
@FunctionalInterface
public interface VectorSink {

    /**
     * A message with {@code vector} reached CPU {@code cpu}. The number is the architecture's: the vector on x86,
     * the LPI INTID on a GICv3 ITS machine, the SPI INTID on a GICv2m one, the interrupt identity on an IMSIC one
     * ({@link Machine#arch()}).
     */
    void accept(int cpu, int vector);

    /**
     * A message with {@code vector} reached CPU {@code cpu} while its interrupts were disabled and merged in its
     * IRR with one already requested there: it is never delivered on its own. Hot path, as {@link #accept}.
     *
     * @since 1.2
     */
    default void merged(int cpu, int vector) {
    }

    /**
     * As {@link #merged(int, int)}, naming the writer: the device ({@link HwDevice#id()}), its storage type and the
     * entry of that storage that sent (MSI vector, MSI-X entry, timer, slot, event source), as in
     * {@link HwDevice#raise(String, int)}; {@code device} is null and {@code entry} -1 where the sender is not known
     * (a message that went through a remapping entry). Two writers can send the very same message (a
     * non-maskable move's interim vector is another interrupt's on the old CPU): for the accounts the writer tells
     * whose the message was; a requester id would not (sources without one, and a function's IMS slots beside its
     * MSI-X entries, share it). Hot path, as {@link #accept}: the strings are the device's own, never built here.
     *
     * @since 1.4
     */
    default void merged(int cpu, int vector, String device, String storageType, int entry) {
        merged(cpu, vector);
    }

    /**
     * A message with {@code vector} reached CPU {@code cpu} while its interrupts were disabled and set the vector's
     * IRR bit, clear until then; the writer as in {@link #merged(int, int, String, String, int)}. For the accounts
     * only: the message is delivered when interrupts are enabled again. Hot path, as {@link #accept}.
     *
     * @since 1.4
     */
    default void requested(int cpu, int vector, String device, String storageType, int entry) {
    }
}
