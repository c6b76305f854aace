package org.msidomain.hw.internal.irqchip;

/** The CPUs as an interrupt controller reaches them (the machine's fabric). Every method is allocation-free. */
public interface Cpus {

    /** The number of CPUs (harts). */
    int count();

    /** Interrupt {@code id} (LPI INTID, SPI INTID, identity) is signalled to CPU {@code cpu}. */
    void deliver(int cpu, int id);

    /** An event for {@code id} merged with one already pending for CPU {@code cpu} (one delivery for both). */
    void merged(int cpu, int id);

    /** A message that reached nothing. */
    void lostOne();
}
