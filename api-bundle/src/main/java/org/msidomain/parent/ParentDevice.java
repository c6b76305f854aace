package org.msidomain.parent;

import org.msidomain.spi.StorageFlag;

/**
 * A device's storage as its parent sees it (the device MSI domain's info). Implemented by the domain.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ParentDevice {

    /** The device id ({@code 00:04.0}, {@code hpet}, {@code dmar0}, ...). */
    String id();

    /** The storage type ({@code pci}, {@code hpet}, {@code dmar}, {@code platform}, or an outside type). */
    String storageType();

    /** Whether the bound storage declares a flag. */
    boolean has(StorageFlag flag);

    /** The requester id the device's writes carry ({@code bus << 8 | devfn}), or -1 if none. */
    int requesterId();

    /** The number of vectors of a multi-message block (a power of two), or 1. */
    int blockSize();

    /**
     * The number of vectors the storage holds (its table size): what a parent sizes per-device tables by, as
     * Linux's ITS sizes a device's ITT for every vector the device may use.
     */
    int hwsize();
}
