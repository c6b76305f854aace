package org.msidomain.hw.internal;

import java.util.function.Supplier;

import org.msidomain.hw.LocalApic;
import org.msidomain.hw.VectorSink;

/**
 * A CPU's local APIC: accepts a vector from the fabric and enters the domain on that CPU, or, while the
 * CPU has interrupts disabled, sets the vector's IRR bit (several messages for one vector coalesce, as
 * on hardware) and delivers it when interrupts are enabled again.
 *
 * <p>On the other architectures it stands for the CPU's interrupt mask the same way (the GIC CPU interface with
 * PSTATE.I, a hart's sstatus.SIE): its request bits are then the architecture's interrupt numbers (LPI or SPI
 * INTIDs, IMSIC identities), as many as {@code ids}.
 */
final class SimLocalApic implements LocalApic {

    private final int cpu;
    private final int apicId;
    private final Supplier<VectorSink> sink;
    private final InterruptFabric fabric;
    private final AtomicBits irr;
    private volatile boolean disabled;

    SimLocalApic(int cpu, int apicId, Supplier<VectorSink> sink, InterruptFabric fabric) {
        this(cpu, apicId, sink, fabric, 256);
    }

    /** @param ids the interrupt numbers the CPU can be signalled: 256 vectors on x86 */
    SimLocalApic(int cpu, int apicId, Supplier<VectorSink> sink, InterruptFabric fabric, int ids) {
        this.irr = new AtomicBits(ids);
        this.cpu = cpu;
        this.apicId = apicId;
        this.sink = sink;
        this.fabric = fabric;
    }

    int cpu() {
        return cpu;
    }

    @Override
    public int apicId() {
        return apicId;
    }

    void accept(int vector) {
        accept(vector, null, null, -1);
    }

    /** A message from a writer (device, storage type, entry; null and -1 if unknown): the IRR's accounts name it. */
    void accept(int vector, String device, String storageType, int entry) {
        if (disabled) {
            setIrr(vector, device, storageType, entry);
            // Interrupts may have been enabled between the check and the set: then deliver it here.
            if (disabled || !testAndClearIrr(vector)) {
                return;
            }
        }
        dispatch(vector);
    }

    private void dispatch(int vector) {
        VectorSink s = sink.get();
        if (s == null) {
            fabric.lostOne();
            return;
        }
        s.accept(cpu, vector);
    }

    @Override
    public void disableInterrupts() {
        disabled = true;
    }

    @Override
    public void enableInterrupts() {
        disabled = false;
        for (int w = 0; w < irr.words(); w++) {
            for (long bits = irr.word(w); bits != 0; bits &= bits - 1) { // only the requested vectors
                int v = w * 64 + Long.numberOfTrailingZeros(bits);
                if (testAndClearIrr(v)) {
                    dispatch(v);
                }
            }
        }
    }

    @Override
    public boolean testAndClearIrr(int vector) {
        return irr.testAndClear(vector);
    }

    @Override
    public boolean irrSet(int vector) {
        return irr.get(vector);
    }

    private void setIrr(int vector, String device, String storageType, int entry) {
        if (irr.set(vector)) {
            VectorSink s = sink.get();
            if (s != null) {
                s.requested(cpu, vector, device, storageType, entry); // the writer whose message the bit holds
            }
            return;
        }
        merged(vector, device, storageType, entry);
    }

    /** An event for {@code vector} merged with one already requested: counted, and the domain told whose. */
    void merged(int vector) {
        merged(vector, null, null, -1);
    }

    /** The same, naming the writer of the message that merged (null and -1 if unknown). */
    private void merged(int vector, String device, String storageType, int entry) {
        fabric.coalescedOne(); // a message for a vector already requested merges with it
        VectorSink s = sink.get();
        if (s != null) {
            s.merged(cpu, vector, device, storageType, entry); // the domain knows whose vector it is, the writer whose message
        }
    }
}
