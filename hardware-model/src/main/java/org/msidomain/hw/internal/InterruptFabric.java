package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.irqchip.Cpus;
import org.msidomain.hw.internal.irqchip.MessagePath;

/**
 * Where message writes from devices go: the CPUs (their local APICs, by APIC id and by CPU number) and the
 * machine's {@link MessagePath}, chosen by its architecture ({@link X86MessagePath} unless the machine installs
 * another one at build time). Counts what is lost and what merges.
 */
public final class InterruptFabric implements Cpus {

    private final SimLocalApic[] byApicId = new SimLocalApic[256];
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();

    /** CPUs whose APIC id is above 255 (x2APIC): reachable only through remapping-unit messages here. */
    private final java.util.Map<Integer, SimLocalApic> x2apic = new java.util.HashMap<>();

    /** The CPUs by number; grown only while the machine is built. */
    private SimLocalApic[] byCpu = new SimLocalApic[0];
    private final X86MessagePath x86 = new X86MessagePath(this);
    /** Set once while the machine is built, before any device exists. */
    private volatile MessagePath path = x86;

    void attach(SimLocalApic apic) {
        if (apic.cpu() >= byCpu.length) {
            byCpu = java.util.Arrays.copyOf(byCpu, apic.cpu() + 1);
        }
        byCpu[apic.cpu()] = apic;
        int id = apic.apicId();
        if ((id >= 0 && id < byApicId.length && byApicId[id] != null) || x2apic.containsKey(id)) {
            throw new IllegalArgumentException("two CPUs have APIC id " + id);
        }
        if (id >= 0 && id < byApicId.length) {
            byApicId[id] = apic;
        } else {
            x2apic.put(id, apic);
        }
    }

    /** An event merged with one already pending (IRR, PBA, pending bits, an open DMAR status episode). */
    public void coalescedOne() {
        coalesced.incrementAndGet();
    }

    long coalesced() {
        return coalesced.get();
    }

    /** A message lost outside the fabric's own checks: a function without Bus Master Enable sent none, an APIC refused it. */
    @Override
    public void lostOne() {
        lost.incrementAndGet();
    }

    /** The path of a non-x86 architecture; called while the machine is built. */
    void install(MessagePath path) {
        this.path = path;
    }

    /**
     * A device performs the message write {@code data -> address}, as the machine's architecture decodes it.
     * Allocation-free.
     *
     * @param requesterId the writing device's requester id, or -1
     */
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        path.write(addressLo, addressHi, data, requesterId);
    }

    /**
     * The same, naming the writer: the device's id, its storage type and the entry of that storage that writes
     * ({@code null}, {@code -1}: not said), so that a CPU's IRR can say whose message it held when two entries send
     * the very same message ({@link org.msidomain.hw.VectorSink#requested}). The strings are the device's own,
     * made once. Allocation-free.
     */
    public void write(int addressLo, int addressHi, int data, int requesterId, String device, String storageType,
            int entry) {
        MessagePath p = path;
        if (p == x86) {
            // a direct call to the final class: the hot path of the default architecture inlines as before the
            // per-architecture paths existed
            x86.write(addressLo, addressHi, data, requesterId, device, storageType, entry);
        } else {
            p.write(addressLo, addressHi, data, requesterId, device, storageType, entry);
        }
    }

    /** A write as {@link #write} performs it, saying where it went (for the shell, not the hot path). */
    public String inject(int addressLo, int addressHi, int data, int requesterId) {
        return path.inject(addressLo, addressHi, data, requesterId);
    }

    /** Turns interrupt remapping on (x86): from now on interrupt writes go through this table. */
    void enableRemapping(RemappingTable table) {
        x86.enableRemapping(table);
    }

    /**
     * A remapping unit's own interrupt (x86): never remapped, and its upper address carries destination bits
     * 31:8 (VT-d FEUADDR, Linux's destid_8_31), so it can reach x2APIC ids above 255.
     */
    public void writeFromRemappingUnit(int addressLo, int addressHi, int data) {
        x86.writeFromRemappingUnit(addressLo, addressHi, data, null, null, -1);
    }

    /** The same, naming the writer as {@link #write(int, int, int, int, String, String, int)} does. */
    public void writeFromRemappingUnit(int addressLo, int addressHi, int data, String device, String storageType,
            int entry) {
        x86.writeFromRemappingUnit(addressLo, addressHi, data, device, storageType, entry);
    }

    @Override
    public int count() {
        return byCpu.length;
    }

    @Override
    public void deliver(int cpu, int id) {
        byCpu[cpu].accept(id);
    }

    @Override
    public void merged(int cpu, int id) {
        byCpu[cpu].merged(id);
    }

    /** The APIC with an 8-bit (xAPIC) id, or null. */
    SimLocalApic xapic(int apicId) {
        return byApicId[apicId];
    }

    SimLocalApic apic(int apicId) {
        return apicId >= 0 && apicId < byApicId.length ? byApicId[apicId] : x2apic.get(apicId);
    }

    long lost() {
        return lost.get();
    }
}
