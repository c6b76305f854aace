package org.msidomain.spi;

/**
 * What the domain asks of a device's storage when it creates it.
 *
 * @param vectors the number of vectors the driver asked for (the storage refuses more than it holds)
 * @param variant the driver's choice of storage variant ({@code msi} or {@code msix} for PCI), or an
 *                empty string for the provider's preference
 * @param adopt   the device's storage is live (another provider, or an earlier instance of this one,
 *                programmed it): take its current state over without disturbing it, do not run the
 *                enable sequence again, so no interrupt is held back or lost while the provider changes
 */
public record StorageRequest(int vectors, String variant, boolean adopt) {

    public StorageRequest {
        variant = variant == null ? "" : variant;
    }

    /** A request for a fresh allocation with the provider's preferred variant. */
    public StorageRequest(int vectors) {
        this(vectors, "", false);
    }

    /** A request for a fresh allocation. */
    public StorageRequest(int vectors, String variant) {
        this(vectors, variant, false);
    }
}
