package org.msidomain.hw;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a device joins or leaves a running machine (its kind's service came or went). Registered with
 * {@link Machine#addListener}; called in order on the thread that changed the kinds (SCR's), under no lock
 * the listener could need, never from the interrupt path. A listener that throws is logged; the others
 * are still told.
 *
 * @since 1.1
 */
@ConsumerType
public interface MachineListener {

    /** A device was created and is part of the machine now. */
    void deviceAdded(HwDevice device);

    /**
     * A device left the machine, as a surprise removal: it no longer raises interrupts or answers register
     * accesses usefully. It is listed by {@link Machine#waiting()} again if the description still names it.
     * The machine calls this after the device's last message has been delivered (no raise of it is still on
     * its way to the APIC), so a listener that detaches the device's handlers before returning knows none of
     * them runs again.
     */
    void deviceRemoved(HwDevice device);
}
