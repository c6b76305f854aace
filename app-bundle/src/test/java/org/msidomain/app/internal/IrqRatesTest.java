package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiMsg;

class IrqRatesTest {

    static IrqInfo irq(int n, String action, long... counts) {
        List<Long> perCpu = java.util.Arrays.stream(counts).boxed().toList();
        return new IrqInfo(n, "00:04.0", n - 24, "PCI-MSIX-0000:00:04.0", 0, 0x20, MsiMsg.ZERO, false, false, perCpu,
                action);
    }

    static IrqRates.Sample sample(long[] spurious, IrqInfo... irqs) {
        return new IrqRates.Sample(List.of(irqs), spurious);
    }

    @Test
    void deltasPerCpuSortedByDeltaThenTotalThenIrq() {
        IrqRates.Sample before = sample(new long[] { 0, 0 }, irq(24, "a", 10, 0), irq(25, "b", 5, 5), irq(26, "", 100, 0));
        IrqRates.Sample now = sample(new long[] { 1, 0 }, irq(24, "a", 12, 0), irq(25, "b", 9, 11), irq(26, "", 100, 0),
                irq(27, "new", 0, 3));
        IrqRates r = new IrqRates(before, now);
        assertEquals(List.of("25", "27", "24", "SPU", "26"), r.rows.stream().map(IrqRates.Row::irq).toList(),
                "25 (+10), new 27 (+3), 24 (+2), SPU (+1), 26 (+0)");
        IrqRates.Row top = r.rows.get(0);
        assertEquals(20, top.total());
        assertEquals(10, top.delta());
        assertArrayEquals(new long[] { 4, 6 }, top.cpuDelta());
        assertEquals("PCI-MSIX-0000:00:04.0 1-edge b", top.name());
        assertEquals(3, r.rows.get(1).delta(), "an irq allocated since the last sample counts all it has");
        assertEquals("PCI-MSIX-0000:00:04.0 2-edge", r.rows.get(4).name(), "no action: no trailing name");
        assertEquals(12 + 20 + 100 + 3 + 1, r.total);
        assertEquals(2 + 10 + 3 + 1, r.delta);
        assertArrayEquals(new long[] { 12 + 9 + 100 + 1, 11 + 3 }, r.cpuTotal);
        assertArrayEquals(new long[] { 2 + 4 + 1, 6 + 3 }, r.cpuDelta);
    }

    @Test
    void theFirstSampleHasNoDeltasAndSortsByTotal() {
        IrqRates r = new IrqRates(null, sample(new long[] { 0 }, irq(24, "", 1), irq(25, "", 7), irq(26, "", 7)));
        assertEquals(List.of("25", "26", "24", "SPU"), r.rows.stream().map(IrqRates.Row::irq).toList());
        assertTrue(r.rows.stream().allMatch(row -> row.delta() == 0));
        assertEquals(0, r.delta);
    }

    @Test
    void aFreedIrqIsGoneAndACountThatShrankIsNoNegativeRate() {
        IrqRates r = new IrqRates(sample(new long[] { 0 }, irq(24, "", 50), irq(25, "", 9)),
                sample(new long[] { 0 }, irq(25, "", 4)));
        assertFalse(r.rows.stream().anyMatch(row -> row.irq().equals("24")));
        assertEquals(0, r.rows.get(0).delta());
    }
}
