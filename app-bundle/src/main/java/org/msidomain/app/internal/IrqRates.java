package org.msidomain.app.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;

/**
 * What changed between two samples of the domain's per-CPU counts: per interrupt (and the spurious row)
 * its total, its delta and the delta on each CPU, sorted by delta, then total, then irq number, as
 * util-linux {@code irqtop} sorts. Without an earlier sample every delta is 0; an interrupt allocated
 * since the earlier sample counts all it has as delta.
 */
final class IrqRates {

    /** One row: {@code irq} is the number or {@code SPU}. */
    record Row(String irq, long total, long delta, long[] cpuDelta, String name, int order) {
    }

    /** The counts at one moment: every interrupt and the spurious count of each CPU. */
    record Sample(List<IrqInfo> irqs, long[] spurious) {

        static Sample take(MsiDomain domain) {
            long[] spurious = new long[domain.cpuCount()];
            for (int cpu = 0; cpu < spurious.length; cpu++) {
                spurious[cpu] = domain.spurious(cpu);
            }
            return new Sample(domain.irqs(), spurious);
        }
    }

    static final Comparator<Row> ORDER = Comparator.comparingLong(Row::delta).reversed()
            .thenComparing(Comparator.comparingLong(Row::total).reversed()).thenComparingInt(Row::order);

    final int cpus;
    final List<Row> rows;
    final long total;
    final long delta;
    final long[] cpuTotal;
    final long[] cpuDelta;

    IrqRates(Sample before, Sample now) {
        cpus = now.spurious().length;
        Map<Integer, IrqInfo> earlier = new HashMap<>();
        if (before != null) {
            before.irqs().forEach(i -> earlier.put(i.irq(), i));
        }
        List<Row> out = new ArrayList<>();
        for (IrqInfo i : now.irqs()) {
            long[] counts = counts(i.counts());
            IrqInfo e = earlier.get(i.irq());
            long[] was = before == null ? counts : e == null ? new long[cpus] : counts(e.counts());
            String name = i.chip() + " " + i.index() + "-edge" + (i.action().isEmpty() ? "" : " " + i.action());
            out.add(row(String.valueOf(i.irq()), counts, was, name, i.irq()));
        }
        long[] spuriousBefore = before == null ? now.spurious() : before.spurious();
        out.add(row("SPU", now.spurious(), spuriousBefore, "Spurious interrupts", Integer.MAX_VALUE));
        out.sort(ORDER);
        rows = List.copyOf(out);
        cpuTotal = new long[cpus];
        cpuDelta = new long[cpus];
        long t = 0;
        long d = 0;
        for (Row r : rows) {
            t += r.total();
            d += r.delta();
            for (int cpu = 0; cpu < cpus; cpu++) {
                cpuDelta[cpu] += r.cpuDelta()[cpu];
            }
        }
        for (IrqInfo i : now.irqs()) {
            for (int cpu = 0; cpu < cpus && cpu < i.counts().size(); cpu++) {
                cpuTotal[cpu] += i.counts().get(cpu);
            }
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            cpuTotal[cpu] += now.spurious()[cpu];
        }
        total = t;
        delta = d;
    }

    private Row row(String irq, long[] now, long[] was, String name, int order) {
        long[] perCpu = new long[cpus];
        long total = 0;
        long delta = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            long n = cpu < now.length ? now[cpu] : 0;
            long w = cpu < was.length ? was[cpu] : 0;
            perCpu[cpu] = Math.max(0, n - w); // counts only grow; a smaller one is another interrupt's
            total += n;
            delta += perCpu[cpu];
        }
        return new Row(irq, total, delta, perCpu, name, order);
    }

    private static long[] counts(List<Long> counts) {
        long[] out = new long[counts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }
}
