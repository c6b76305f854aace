package org.msidomain.spi;

/**
 * What the domain asks of a device's storage when it creates it.
 *
 * @param vectors the number of vectors the driver asked for (the storage refuses more than it holds)
 * @param variant the driver's choice of storage variant ({@code msi} or {@code msix} for PCI), or an
 *                empty string for the provider's preference
 */
public record StorageRequest(int vectors, String variant) {

    public StorageRequest {
        variant = variant == null ? "" : variant;
    }

    /** A request with the provider's preferred variant. */
    public StorageRequest(int vectors) {
        this(vectors, "");
    }
}
