package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The path of a message write from a device to the local APICs: a dword write to the 0xFEExxxxx window
 * in compatibility format reaches the APIC whose id is in address bits 19:12. Anything else is not an
 * interrupt and is counted as lost.
 */
public final class InterruptFabric {

    private final SimLocalApic[] byApicId = new SimLocalApic[256];
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();

    void attach(SimLocalApic apic) {
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
        SimLocalApic apic = byApicId[(addressLo >>> 12) & 0xFF];
        int vector = data & 0xFF;
        if (apic == null || vector < 0x10) {
            lost.incrementAndGet();
            return;
        }
        apic.accept(vector);
    }

    void coalescedOne() {
        coalesced.incrementAndGet();
    }

    long coalesced() {
        return coalesced.get();
    }

    void lostOne() {
        lost.incrementAndGet();
    }

    SimLocalApic apic(int apicId) {
        return byApicId[apicId];
    }

    long lost() {
        return lost.get();
    }
}
