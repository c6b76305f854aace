package org.msidomain.web.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;

/**
 * Interrupt rates per irq and CPU over a fixed window: every {@value #PERIOD_MS} ms a timer thread reads the
 * domain's counts (a query, off the hot path) and keeps the differences to the previous reading. Rates measured
 * on the server do not depend on when, or how often, a browser polls.
 */
final class RateSampler implements AutoCloseable {

    static final long PERIOD_MS = 500;

    /** The rates of the last window: per irq, per CPU, interrupts per second. */
    record Window(double millis, Map<Integer, List<Double>> rates) {
        static final Window NONE = new Window(0, Map.of());
    }

    private final MsiDomain domain;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private List<IrqInfo> previous; // timer thread only
    private long previousNanos;
    private volatile Window latest = Window.NONE;

    RateSampler(MsiDomain domain) {
        this(domain, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "msi-web-rates");
            t.setDaemon(true);
            return t;
        }), System::nanoTime);
    }

    /** A sampler on a given timer and clock (tests: a clock that advances by exactly one period per reading). */
    RateSampler(MsiDomain domain, ScheduledExecutorService timer, LongSupplier nanoClock) {
        this.domain = domain;
        this.timer = timer;
        this.nanoClock = nanoClock;
        timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** The last complete window, or {@link Window#NONE} until two readings exist. */
    Window latest() {
        return latest;
    }

    private void sample() {
        try {
            List<IrqInfo> now = domain.irqs();
            long nanos = nanoClock.getAsLong();
            if (previous != null) {
                latest = between(previous, previousNanos, now, nanos);
            }
            previous = now;
            previousNanos = nanos;
        } catch (RuntimeException e) {
            // the domain is going away with this bundle: keep the last window (a throw would end the timer)
        }
    }

    /**
     * The rates from one reading to the next. An irq that is new, or whose number now belongs to another
     * device or index, has no rate yet; a count that went down (freed and allocated again) counts as zero.
     */
    static Window between(List<IrqInfo> before, long beforeNanos, List<IrqInfo> after, long afterNanos) {
        double seconds = (afterNanos - beforeNanos) / 1e9;
        if (seconds <= 0) {
            return Window.NONE;
        }
        Map<Integer, IrqInfo> old = new HashMap<>();
        for (IrqInfo i : before) {
            old.put(i.irq(), i);
        }
        Map<Integer, List<Double>> rates = new HashMap<>();
        for (IrqInfo i : after) {
            IrqInfo o = old.get(i.irq());
            if (o == null || !o.device().equals(i.device()) || o.index() != i.index()) {
                continue;
            }
            List<Double> perCpu = new ArrayList<>(i.counts().size());
            for (int cpu = 0; cpu < i.counts().size(); cpu++) {
                long was = cpu < o.counts().size() ? o.counts().get(cpu) : 0;
                perCpu.add(Math.max(0, i.counts().get(cpu) - was) / seconds);
            }
            rates.put(i.irq(), List.copyOf(perCpu));
        }
        return new Window(seconds * 1000, Map.copyOf(rates));
    }

    /** Stops the timer and waits (briefly) for a reading in progress. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
