package org.msidomain.hw.internal;

import java.util.function.Supplier;

import org.msidomain.hw.VectorSink;

/** A CPU's local APIC: accepts a vector from the fabric and enters the domain on that CPU. */
final class LocalApic {

    private final int cpu;
    private final int apicId;
    private final Supplier<VectorSink> sink;
    private final InterruptFabric fabric;

    LocalApic(int cpu, int apicId, Supplier<VectorSink> sink, InterruptFabric fabric) {
        this.cpu = cpu;
        this.apicId = apicId;
        this.sink = sink;
        this.fabric = fabric;
    }

    int apicId() {
        return apicId;
    }

    void accept(int vector) {
        VectorSink s = sink.get();
        if (s == null) {
            fabric.lostOne();
            return;
        }
        s.accept(cpu, vector);
    }
}
