package org.msidomain.hw;

import org.msidomain.api.MsiMsg;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Platform firmware that owns a device's MSI table (the pseries case, RTAS {@code ibm,change-msi}):
 * the OS names where each interrupt should arrive, the firmware chooses the message and programs the
 * device, and the OS reads the message back from the device ({@code pseries_msi_compose_msg}); the OS
 * never writes the messages itself (it may still set the entries' mask bits).
 */
@ProviderType
public interface Hypervisor {

    /**
     * Programs message {@code index} of the device with a message of the firmware's choosing that arrives where
     * {@code destination} names (its destination APIC id and vector, as x86 encodes them), and makes sure the
     * device's MSI-X is enabled. The entry's mask bit is left as it is.
     */
    void programMsi(HwDevice device, int index, MsiMsg destination);

    /** Turns the device's message-signalled interrupts off. */
    void disableMsi(HwDevice device);
}
