package org.msidomain.spi;

import org.msidomain.api.MsiMsg;
import java.util.Optional;

import org.msidomain.hw.HwDevice;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The service a storage provider bundle registers, one per storage type, with the service property
 * {@value #STORAGE_TYPE} naming the types it serves. The domain binds to every such service
 * dynamically and matches devices to it by type; the highest {@code service.ranking} wins.
 *
 * <p>The operations mirror Linux's {@code msi_storage_ops}: each takes the storage it acts on. By
 * default they call the storage's own variant methods, so a provider only creates the right variant;
 * it may override an operation to add work common to all its variants.
 */
@ConsumerType
public interface MsiStorageOps {

    /** The service property: the storage type (or types) the provider serves. */
    String STORAGE_TYPE = "msi.storage.type";

    /**
     * Creates the storage of a device, choosing its variant once. Called from the domain's control
     * path; the device's messages are then written through the returned storage.
     *
     * @throws IllegalArgumentException if the device cannot serve the request (for example more
     *                                  vectors than it holds), with a message that says why
     */
    MsiStorage createStorage(HwDevice device, StorageRequest request);

    /**
     * The most vectors the device's storage can hold, read from the device without changing it.
     *
     * @throws IllegalArgumentException if the device has no storage this provider can serve
     */
    int maxVectors(HwDevice device);

    /**
     * Whether this provider declines a device of its type: a declared outcome, not a failure. The domain
     * asks before it hands a device to the provider; on a decline it offers the device to the next provider
     * of the type by ranking, and {@code msi:why} shows who declined and why. Called from the domain's
     * control path; it must only read the device.
     *
     * @return why the provider will not serve the device ({@code "no IMS slots behind BAR 2"}), or empty
     *         to serve it
     * @since 1.1
     */
    default Optional<String> decline(HwDevice device) {
        return Optional.empty();
    }

    /** Releases a storage the domain no longer uses (after its descriptors were deactivated). */
    default void releaseStorage(MsiStorage storage) {
    }

    /** Stores a descriptor's message. */
    default void writeMsg(MsiStorage storage, MsiDescView desc, MsiMsg msg) {
        storage.writeMsg(desc, msg);
    }

    /**
     * Reads back a descriptor's message from the device.
     *
     * @since 1.2
     */
    default Optional<MsiMsg> readMsg(MsiStorage storage, MsiDescView desc) {
        return storage.readMsg(desc);
    }

    /** Masks a descriptor at the source. */
    default void mask(MsiStorage storage, MsiDescView desc) {
        storage.mask(desc);
    }

    /** Unmasks a descriptor at the source. */
    default void unmask(MsiStorage storage, MsiDescView desc) {
        storage.unmask(desc);
    }

    /** Takes the storage's bus lock. */
    default void lock(MsiStorage storage) {
        storage.lock();
    }

    /** Pushes recorded changes and releases the bus lock. */
    default void unlock(MsiStorage storage) {
        storage.unlock();
    }
}
