package org.msidomain.hw.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.hw.VectorSink;

/** Machines of the non-x86 architectures for tests, with a sink that records what reaches the CPUs. */
final class ArchMachines {

    private ArchMachines() {
    }

    /** A machine from a description given as JSON text (no dumps). */
    static SimMachine machine(String json) {
        return new SimMachine(MachineLoader.fromDescription("test machine",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), name -> {
                    throw new java.io.IOException("no dumps here");
                }));
    }

    /** Every delivery as {@code cpu:id}, in order, and every merge counted. */
    static final class Recorder implements VectorSink {
        private final List<String> delivered = new ArrayList<>();
        final AtomicLong merged = new AtomicLong();

        @Override
        public synchronized void accept(int cpu, int id) {
            delivered.add(cpu + ":" + id);
        }

        @Override
        public void merged(int cpu, int id) {
            merged.incrementAndGet();
        }

        synchronized List<String> delivered() {
            return List.copyOf(delivered);
        }

        synchronized void clear() {
            delivered.clear();
        }
    }
}
