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
}
