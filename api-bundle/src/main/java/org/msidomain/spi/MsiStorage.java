package org.msidomain.spi;

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

    /** Stores the message of a descriptor on the device. */
    void writeMsg(MsiDescView desc, MsiMsg msg);

    /** Masks a descriptor at the source; returns when the device is known to be masked. */
    void mask(MsiDescView desc);

    /** Unmasks a descriptor at the source. */
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
}
