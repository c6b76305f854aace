package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.msidomain.app.internal.IrqRatesTest.irq;
import static org.msidomain.app.internal.IrqRatesTest.sample;

import org.junit.jupiter.api.Test;

class TopScreenTest {

    private final IrqRates rates = new IrqRates(
            sample(new long[] { 0, 0 }, irq(24, "00:04.0-q0", 10, 0), irq(25, "00:04.0-q1", 0, 0)),
            sample(new long[] { 0, 0 }, irq(24, "00:04.0-q0", 40, 0), irq(25, "00:04.0-q1", 0, 10)));

    @Test
    void aFrameHasTheTotalsTheCpuSharesAndOneRowPerIrqByDelta() {
        assertEquals("""
                msi:top | total: 50 delta: 40 | every 0.5 s

                              CPU0       CPU1
                  %irq:       80.0       20.0
                %delta:       75.0       25.0

                   IRQ      TOTAL      DELTA       CPU0       CPU1  NAME
                    24         40         30         30          0  PCI-MSIX-0000:00:04.0 0-edge 00:04.0-q0
                    25         10         10          0         10  PCI-MSIX-0000:00:04.0 1-edge 00:04.0-q1
                   SPU          0          0          0          0  Spurious interrupts
                """, TopScreen.format(rates, 500, 0));
    }

    @Test
    void rowsBeyondTheScreenAreCounted() {
        String frame = TopScreen.format(rates, 1000, 2);
        assertEquals(java.util.List.of("    24         40         30         30          0  PCI-MSIX-0000:00:04.0 0-edge 00:04.0-q0",
                "... 2 more"), frame.lines().skip(7).toList());
    }
}
