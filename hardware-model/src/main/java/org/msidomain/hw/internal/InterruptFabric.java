package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The path of a message write from a device to the local APICs: a dword write to the 0xFEExxxxx window
 * in compatibility format reaches the APIC whose id is in address bits 19:12. Anything else is not an
 * interrupt and is counted as lost.
 */
public final class InterruptFabric {

    private final LocalApic[] byApicId = new LocalApic[256];
    private final AtomicLong lost = new AtomicLong();

    void attach(LocalApic apic) {
        if (byApicId[apic.apicId()] != null) {
            throw new IllegalArgumentException("two CPUs have APIC id " + apic.apicId());
        }
        byApicId[apic.apicId()] = apic;
    }

    /**
     * A device performs the message write {@code data -> address}. Allocation-free.
     *
     * @param requesterId the writing device's requester id, or -1
     */
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        if (addressHi != 0 || (addressLo >>> 20) != 0xFEE || (addressLo & 0x10) != 0) {
            lost.incrementAndGet();
            return;
        }
        LocalApic apic = byApicId[(addressLo >>> 12) & 0xFF];
        int vector = data & 0xFF;
        if (apic == null || vector < 0x10) {
            lost.incrementAndGet();
            return;
        }
        apic.accept(vector);
    }

    void lostOne() {
        lost.incrementAndGet();
    }

    long lost() {
        return lost.get();
    }
}
