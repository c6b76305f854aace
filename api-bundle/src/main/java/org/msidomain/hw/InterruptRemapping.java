package org.msidomain.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An interrupt-remapping unit (Intel VT-d IR) with remapping enabled: messages in remappable format
 * carry a handle into its table, whose 128-bit entries (IRTE) hold the vector, the destination and the
 * requester allowed to use them.
 */
@ProviderType
public interface InterruptRemapping {

    /** Entry bit 0: present. */
    long PRESENT = 1L;

    /** The number of entries of the table. */
    int tableSize();

    /**
     * Writes entry {@code index}: {@code low} holds P (bit 0), the vector (bits 23:16) and the x2APIC
     * destination (bits 63:32); {@code high} holds the source id (bits 15:0), the source-id qualifier
     * (bits 17:16) and the source validation type (bits 19:18).
     */
    void writeEntry(int index, long low, long high);

    /**
     * Interrupt Entry Cache invalidation: returns once the unit uses the current entries and every
     * message it translated with an earlier one has been delivered.
     */
    void invalidate();
}
