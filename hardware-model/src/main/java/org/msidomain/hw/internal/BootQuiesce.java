package org.msidomain.hw.internal;

/**
 * What a booting OS does to a device before any driver owns it: it stops the device from signalling with
 * a message somebody else programmed (firmware, the dump's machine, an earlier domain), writing its
 * registers as the OS would. A device fresh from reset is left as it is.
 */
public interface BootQuiesce {

    /** Turns the device's message-signalled interrupts off, through its registers. */
    void quiesce();
}
