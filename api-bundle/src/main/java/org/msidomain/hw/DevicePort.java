package org.msidomain.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How a device created by a {@link DeviceKind} reaches the machine. Implemented by the machine; one port
 * per device, carrying that device's requester id.
 *
 * <p>Read-back flush: a CPU read of the device's registers (any {@link Mmio#read32} of its regions, any read
 * of its {@link ConfigSpace}) returns only after every message the device sent before it was delivered, as
 * a PCI read completion pushes earlier posted writes. The machine keeps that guarantee for every device by
 * counting each {@link HwDevice#raise} and each {@link #send} as in flight; a device needs to do nothing for
 * it, provided it sends only from {@code raise} or from a register write.
 *
 * @since 1.1
 */
@ProviderType
public interface DevicePort {

    /**
     * Performs a message write of {@code data} to {@code address} with the device's requester id, through
     * the machine's interrupt fabric (and its remapping unit, which validates the requester). Counted in
     * flight until delivered; a device that has left the machine sends nothing. Allocation-free and
     * lock-free: callable from the interrupt path.
     */
    void send(long address, int data);

    /**
     * As {@link #send(long, int)}, naming the writer: the storage type and the entry of it that sends (as
     * {@link HwDevice#raise(String, int)} names them). A CPU whose interrupts are held off tells by it whose message
     * set a vector's request bit when two entries send the very same message (the interim vector of a move that
     * another interrupt owns), so the domain's per-vector accounts stay exact for this device too.
     *
     * @since 1.4
     */
    default void send(long address, int data, String storageType, int entry) {
        send(address, data);
    }

    /** Counts an event merged into one already pending (a pending bit already set): shown as coalesced. */
    void merged();

    /** The requester id this port puts on the device's writes, or -1. */
    int requesterId();
}
