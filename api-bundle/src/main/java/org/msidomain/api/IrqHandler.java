package org.msidomain.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The action of an interrupt (Linux's {@code irq_handler_t}). Called on the delivering CPU's thread,
 * from the hot path: it must not block and should not allocate.
 */
@ConsumerType
@FunctionalInterface
public interface IrqHandler {

    /**
     * Handles one interrupt.
     *
     * @param irq the irq number
     * @param cpu the CPU the message was delivered to
     */
    void handle(int irq, int cpu);
}
