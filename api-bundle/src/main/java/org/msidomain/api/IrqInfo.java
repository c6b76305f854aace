package org.msidomain.api;

import java.util.List;

/**
 * A snapshot of one interrupt, as {@code /proc/interrupts} and {@code /sys/kernel/irq/N} show it.
 *
 * @param irq     the irq number
 * @param device  the device id the interrupt belongs to
 * @param index   the MSI index within the device (the hwirq)
 * @param chip    the chip name, for example {@code PCI-MSIX-0000:00:04.0}
 * @param cpu     the CPU the interrupt is steered to
 * @param vector  the vector on that CPU
 * @param msg     the message the domain composed for it (the cache, not the device's registers)
 * @param masked  whether the interrupt is masked
 * @param pending whether a message arrived while masked at the destination and waits for unmask
 * @param counts  the number of interrupts handled per CPU, indexed by CPU number
 * @param action  the name of the attached handler, or an empty string
 */
public record IrqInfo(int irq, String device, int index, String chip, int cpu, int vector, MsiMsg msg,
        boolean masked, boolean pending, List<Long> counts, String action) {

    /** The total number of interrupts handled on all CPUs. */
    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }
}
