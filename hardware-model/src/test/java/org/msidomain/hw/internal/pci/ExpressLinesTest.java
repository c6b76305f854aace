package org.msidomain.hw.internal.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * pciutils' show_power_limit prints {@code value * scale} with C's {@code %g} (6 significant digits, trailing
 * zeros dropped), the scale a C float (1.0, 0.1, 0.01, 0.001); PCIe r6 §7.5.3.3 gives the encodings above 0xEF
 * for scale 1.0 (0xF0 = 250 W, 0xF1 = 275 W, ... 0xFE = 600 W, 0xFF above 600 W).
 */
class ExpressLinesTest {

    @Test
    void slotPowerLimitIsPrintedAsCsPercentG() {
        assertEquals("75W", ExpressLines.powerLimit(75, 0));
        assertEquals("2.5W", ExpressLines.powerLimit(25, 1));
        assertEquals("0.25W", ExpressLines.powerLimit(25, 2));
        assertEquals("0.001W", ExpressLines.powerLimit(1, 3));
        assertEquals("0.255W", ExpressLines.powerLimit(255, 3));
        assertEquals("0W", ExpressLines.powerLimit(0, 0));
        assertEquals("250W", ExpressLines.powerLimit(0xF0, 0));
        assertEquals("600W", ExpressLines.powerLimit(0xFE, 0));
        assertEquals(">600W", ExpressLines.powerLimit(0xFF, 0));
        assertEquals("25.5W", ExpressLines.powerLimit(0xFF, 1), "0xFF is above 600 W only at scale 1.0");
    }
}
