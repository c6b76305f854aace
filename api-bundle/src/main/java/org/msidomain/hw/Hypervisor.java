package org.msidomain.hw;

import org.msidomain.api.MsiMsg;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Platform firmware that owns a device's MSI table (the pseries case, RTAS {@code ibm,change-msi}):
 * the OS hands it the messages and it programs the device; the OS never writes the table itself.
 */
@ProviderType
public interface Hypervisor {

    /** Programs message {@code index} of the device and makes sure its MSI-X is enabled and the entry live. */
    void programMsi(HwDevice device, int index, MsiMsg msg);

    /** Turns the device's message-signalled interrupts off. */
    void disableMsi(HwDevice device);
}
