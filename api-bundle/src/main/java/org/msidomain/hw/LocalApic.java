package org.msidomain.hw;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A CPU's local APIC as interrupt code running on that CPU controls it. While interrupts are disabled
 * an arriving message only sets the vector's bit in the Interrupt Request Register (IRR); enabling them
 * again delivers every requested vector once.
 */
@ProviderType
public interface LocalApic {

    int apicId();

    /** {@code local_irq_disable()}: hold arriving messages in the IRR. */
    void disableInterrupts();

    /** {@code local_irq_enable()}: deliver what the IRR holds, then deliver as messages arrive. */
    void enableInterrupts();

    /** Whether a message for {@code vector} is held in the IRR; clears the bit if so. */
    boolean testAndClearIrr(int vector);

    /**
     * Whether a message for {@code vector} is held in the IRR, leaving it there to be delivered when interrupts are
     * enabled again (Linux's {@code lapic_vector_set_in_irr}).
     *
     * @since 1.4
     */
    boolean irrSet(int vector);
}
