package org.msidomain.spi;

import org.msidomain.api.MsiMsg;

/**
 * The part of an MSI descriptor a storage sees (Linux's {@code struct msi_desc} as storage callbacks
 * use it). Implemented by the domain; valid only during the callback it is passed to.
 */
@org.osgi.annotation.versioning.ProviderType
public interface MsiDescView {

    /** The MSI index within the device: MSI-X table entry, MSI vector number, timer, slot. */
    int index();

    /** The irq number. */
    int irq();

    /** The message last written (the domain's cache). */
    MsiMsg msg();

    /** Whether the descriptor is masked. */
    boolean masked();

    /**
     * The number of vectors sharing this descriptor's message: 1, or the power-of-two block size of
     * multi-message MSI (only the block's first descriptor is written).
     */
    int blockSize();
}
