package org.msidomain.spi;

import java.util.Optional;

import org.msidomain.api.MsiMsg;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The MSI storage of one device: where its messages live and how they are masked. One class per
 * variant (PCI MSI 32-bit, MSI-X, HPET FSB route, ...), chosen once when the storage is created, so
 * the write path has no branches on the kind of storage.
 *
 * <p>All calls come from the domain's control path, serialized per device, never from the interrupt
 * path. Between {@link #lock()} and {@link #unlock()} a bus-locked storage only records; others act at
 * once.
 */
@ConsumerType
public interface MsiStorage {

    /** What the storage can do. Constant for the storage's life. */
    StorageInfo info();

    /**
     * Stores the message of a descriptor on the device. Write each word the device reads with one register
     * write and never leave a zero or half message in between: a storage without {@link StorageFlag#CAN_MASK}
     * (or with {@link StorageFlag#LOSSY_MASK}) is moved in two steps in which only the data or only the address
     * changes. When the writes are posted (MMIO) and the vector may be live, end with a read of the device's
     * registers: the domain frees the old vector as soon as this returns, and only a read-back ensures that no
     * message with the old content is still under way. {@link MsiMsg#ZERO} deactivates the vector.
     */
    void writeMsg(MsiDescView desc, MsiMsg msg);

    /**
     * Reads the message the device holds for a descriptor (Linux {@code __pci_read_msi_msg}). The domain asks a
     * storage with {@link StorageFlag#HYPERVISOR_OWNED} after each {@link #writeMsg}: the firmware chose the
     * message, and what the device holds becomes the descriptor's message (pseries {@code pseries_msi_compose_msg}).
     * Outside D0, where the registers cannot be read, answer the message read last ({@code get_cached_msi_msg}).
     *
     * @return the message, or empty if the storage cannot read it back (the default): the domain then keeps the
     *         message it wrote
     * @since 1.2
     */
    default Optional<MsiMsg> readMsg(MsiDescView desc) {
        return Optional.empty();
    }

    /**
     * Masks a descriptor at the source; returns when the device is known to be masked (read back after a posted
     * write): from then on a raise latches (pending) or, with {@link StorageFlag#LOSSY_MASK}, is lost. Called only
     * for a storage with {@link StorageFlag#CAN_MASK}; without it the domain masks at the destination instead.
     */
    void mask(MsiDescView desc);

    /**
     * Unmasks a descriptor at the source; an event latched while masked is sent now, once. Called only for a
     * storage with {@link StorageFlag#CAN_MASK}.
     */
    void unmask(MsiDescView desc);

    /** Takes the storage's bus lock (Linux {@code irq_bus_lock}). */
    default void lock() {
    }

    /** Pushes what was recorded under the bus lock and releases it ({@code irq_bus_sync_unlock}). */
    default void unlock() {
    }

    /**
     * Turns the device's MSI storage on once the first descriptors are written and masked as wanted
     * (PCI: MSI enable, MSI-X function mask cleared).
     */
    default void enable() {
    }

    /** Turns the device's MSI storage off after every descriptor was deactivated. */
    default void disable() {
    }

    /**
     * A restore begins ({@code MsiDomain#restore}, Linux's {@code pci_restore_msi_state} after a resume or a reset):
     * the domain then writes every live descriptor's message and mask, between {@link #lock()} and
     * {@link #unlock()}, whatever state the device is in, and calls {@link #restoreEnd()}. Register state a reset
     * may have cleared is read again here: nothing cached from before a reset is written back. PCI MSI-X sets
     * Enable and Function Mask ({@code __pci_restore_msix_state}), so no entry fires while the table is rewritten.
     *
     * @since 1.3
     */
    default void restoreBegin() {
    }

    /**
     * The restore's writes are done (after {@link #unlock()}): PCI MSI-X clears Function Mask, and entries that
     * latched meanwhile and are not masked send now, once.
     *
     * @since 1.3
     */
    default void restoreEnd() {
    }
}
