package org.msidomain.spi;

import java.util.Set;

/**
 * What the domain needs to know about a device's storage.
 *
 * @param chipName the chip name shown in {@code /proc/interrupts}, for example
 *                 {@code PCI-MSIX-0000:00:04.0}
 * @param hwsize   the number of MSI indices the storage holds (MSI-X table size, MSI block size): the device's
 *                 capacity, not the count asked for; the domain never allocates an index at or beyond it
 * @param flags    what the storage can do
 */
public record StorageInfo(String chipName, int hwsize, Set<StorageFlag> flags) {

    public StorageInfo {
        flags = Set.copyOf(flags);
        if (hwsize < 1) {
            throw new IllegalArgumentException("storage " + chipName + " has no MSI index (hwsize " + hwsize + ")");
        }
    }

    /** Whether the storage has the flag. */
    public boolean has(StorageFlag flag) {
        return flags.contains(flag);
    }
}
