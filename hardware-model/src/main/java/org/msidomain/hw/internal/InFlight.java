package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages a device has started to send and not yet handed to the APIC. A CPU read of the device's
 * registers waits for them, as a PCIe read completion may not pass the device's earlier posted writes:
 * that is what makes Linux's read-back after a message update a flush.
 */
public final class InFlight {

    private final AtomicInteger count = new AtomicInteger();

    public void begin() {
        count.incrementAndGet();
    }

    public void end() {
        count.decrementAndGet();
    }

    /** Returns once every message begun before the call has been delivered. */
    public void drain() {
        int spins = 0;
        while (count.get() != 0) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
