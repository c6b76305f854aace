package org.msidomain.app.internal;

import java.util.Locale;

/**
 * The text of one {@code msi:top} frame, in the spirit of util-linux {@code irqtop}:
 *
 * <pre>
 * msi:top | total: 2107468 delta: 1200 | every 1 s
 *
 *               CPU0       CPU1       CPU2       CPU3
 *   %irq:       25.0       25.0       25.0       25.0
 * %delta:       40.0       20.0       20.0       20.0
 *
 *    IRQ      TOTAL      DELTA       CPU0       CPU1       CPU2       CPU3  NAME
 *     24      67500        100        100          0          0          0  PCI-MSIX-0000:00:01.0 0-edge 00:01.0-q0
 *    SPU          0          0          0          0          0          0  Spurious interrupts
 * </pre>
 *
 * The per-CPU columns of the rows are the deltas on each CPU; rows are sorted by delta. With
 * {@code maxRows > 0} (a terminal's height) rows beyond it are left out and the last line says how many.
 */
final class TopScreen {

    private TopScreen() {
    }

    static String format(IrqRates rates, long intervalMillis, int maxRows) {
        StringBuilder out = new StringBuilder();
        out.append("msi:top | total: ").append(rates.total).append(" delta: ").append(rates.delta).append(" | every ")
                .append(Refresher.seconds(intervalMillis)).append(" s\n\n");
        out.append(String.format("%7s", ""));
        for (int cpu = 0; cpu < rates.cpus; cpu++) {
            out.append(String.format(" %10s", "CPU" + cpu));
        }
        out.append('\n');
        share(out, "%irq:", rates.cpuTotal, rates.total);
        share(out, "%delta:", rates.cpuDelta, rates.delta);
        out.append('\n');
        out.append(String.format("%6s %10s %10s", "IRQ", "TOTAL", "DELTA"));
        for (int cpu = 0; cpu < rates.cpus; cpu++) {
            out.append(String.format(" %10s", "CPU" + cpu));
        }
        out.append("  NAME\n");
        int shown = maxRows > 0 ? Math.min(rates.rows.size(), maxRows) : rates.rows.size();
        if (shown < rates.rows.size()) {
            shown = Math.max(0, shown - 1); // room for the line that says so
        }
        for (IrqRates.Row r : rates.rows.subList(0, shown)) {
            out.append(String.format("%6s %10d %10d", r.irq(), r.total(), r.delta()));
            for (long d : r.cpuDelta()) {
                out.append(String.format(" %10d", d));
            }
            out.append("  ").append(r.name()).append('\n');
        }
        if (shown < rates.rows.size()) {
            out.append("... ").append(rates.rows.size() - shown).append(" more\n");
        }
        return out.toString();
    }

    private static void share(StringBuilder out, String label, long[] perCpu, long sum) {
        out.append(String.format("%7s", label));
        for (long v : perCpu) {
            out.append(String.format(Locale.ROOT, " %10.1f", sum == 0 ? 0.0 : 100.0 * v / sum));
        }
        out.append('\n');
    }
}
