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
     * A message with {@code vector} reached CPU {@code cpu}.
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
     * As {@link #merged(int, int)}, naming the writer: its requester id (-1 if the write carried none) and the entry
     * of its storage that sent (MSI vector, MSI-X entry, timer, slot; -1 if not said). Two writers can send the very
     * same message (a non-maskable move's interim vector is another interrupt's on the old CPU): for the accounts
     * the writer tells whose the message was. Hot path, as {@link #accept}.
     *
     * @since 1.3
     */
    default void merged(int cpu, int vector, int requesterId, int entry) {
        merged(cpu, vector);
    }

    /**
     * A message with {@code vector} reached CPU {@code cpu} while its interrupts were disabled and set the vector's
     * IRR bit, clear until then; the writer as in {@link #merged(int, int, int, int)}. For the accounts only: the
     * message is delivered when interrupts are enabled again. Hot path, as {@link #accept}.
     *
     * @since 1.3
     */
    default void requested(int cpu, int vector, int requesterId, int entry) {
    }
}
