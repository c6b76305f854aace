package org.msidomain.app.internal;

import java.util.List;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;

/**
 * Formats the domain's interrupts as Linux's {@code /proc/interrupts} (kernel/irq/proc.c
 * show_interrupts): a CPU header, one row per irq with per-CPU counts, chip name, hwirq (the MSI index)
 * with the flow ({@code -edge}) and the action, then the spurious row. As there, only online CPUs have a column
 * ({@code for_each_online_cpu}): an offline CPU's counts are not shown until it comes back.
 */
final class InterruptsTable {

    private InterruptsTable() {
    }

    static String format(MsiDomain domain) {
        List<IrqInfo> irqs = domain.irqs();
        int cpus = domain.cpuCount();
        boolean[] online = new boolean[cpus];
        domain.cpus().forEach(c -> online[c.cpu()] = c.online());
        int maxIrq = irqs.isEmpty() ? 0 : irqs.get(irqs.size() - 1).irq();
        int prec = 3;
        for (int j = 1000; prec < 10 && j <= maxIrq + 1; j *= 10) {
            prec++;
        }
        StringBuilder out = new StringBuilder();
        out.append(" ".repeat(prec + 8));
        for (int cpu = 0; cpu < cpus; cpu++) {
            if (online[cpu]) {
                out.append(String.format("CPU%-8d", cpu));
            }
        }
        out.append('\n');
        for (IrqInfo irq : irqs) {
            out.append(String.format("%" + prec + "d:", irq.irq()));
            for (int cpu = 0; cpu < cpus; cpu++) {
                if (online[cpu]) {
                    out.append(String.format(" %10d", irq.counts().get(cpu)));
                }
            }
            out.append(String.format(" %8s", irq.chip()));
            out.append(String.format(" %" + prec + "d-%-8s", irq.index(), "edge"));
            if (!irq.action().isEmpty()) {
                out.append("  ").append(irq.action());
            }
            stripTrailing(out);
            out.append('\n');
        }
        out.append(String.format("%" + prec + "s:", "SPU"));
        for (int cpu = 0; cpu < cpus; cpu++) {
            if (online[cpu]) {
                out.append(String.format(" %10d", domain.spurious(cpu)));
            }
        }
        out.append("  Spurious interrupts\n");
        return out.toString();
    }

    private static void stripTrailing(StringBuilder out) {
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
    }
}
