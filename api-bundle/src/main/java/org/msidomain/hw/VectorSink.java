package org.msidomain.hw;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the local APICs deliver: the domain's per-CPU vector table. Called on the hot path for every
 * accepted message; must not block, allocate or take a lock shared between CPUs.
 */
@ConsumerType
@FunctionalInterface
public interface VectorSink {

    /**
     * A message with {@code vector} reached CPU {@code cpu}.
     */
    void accept(int cpu, int vector);
}
