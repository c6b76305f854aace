package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import org.msidomain.api.MsiDomain;
import org.msidomain.hw.Machine;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code --stress SECONDS}: for the given time, the devices fire from worker threads while
 * one thread changes affinities and masks and unmasks interrupts and another hot-swaps the providers;
 * then everything is unmasked and the accounts are closed:
 * {@code fired=N delivered=M lost=0 duplicated=0 swaps=K merged=X}, where {@code merged} are events that
 * hardware (or the core's pending flag) merged with one already pending while masked, so
 * {@code delivered + merged = fired}. Exit code 0 only if nothing was lost or delivered twice.
 */
@Component(service = BiFunction.class, property = "msi.launcher.role=stress")
public final class StressJob implements BiFunction<String, PrintStream, Integer> {

    private final MsiDomain domain;
    private final Machine machine;
    private final BundleContext context;

    @Activate
    public StressJob(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine,
            BundleContext context) {
        this.domain = domain;
        this.machine = machine;
        this.context = context;
    }

    @Override
    public Integer apply(String seconds, PrintStream out) {
        try {
            return run(Long.parseLong(seconds.trim()), out);
        } catch (NumberFormatException e) {
            System.err.println("stress: '" + seconds + "' is not a number of seconds");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            System.err.println("stress failed: " + e.getMessage());
            return 1;
        }
    }

    private int run(long seconds, PrintStream out) throws InterruptedException {
        MainJob.awaitBound(domain);
        Workload w = Workload.allocate(domain, machine);
        long mergedBefore = machine.coalescedMessages() + domain.mergedWhileMasked();
        long lostBefore = machine.lostMessages();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger swaps = new AtomicInteger();
        // HPET events while masked are lost by design (no latch): its timers are not masked here.
        List<Integer> maskable = w.vectors.stream().filter(v -> !v.device().storageType().equals("hpet"))
                .map(Workload.Vector::irq).toList();
        Workload.Firing firing = w.fire(Math.max(1, Math.min(2, domain.cpuCount())), 1, running::get);
        AtomicInteger refused = new AtomicInteger();
        Thread churn = thread("stress-churn", failure, () -> {
            SplittableRandom random = new SplittableRandom(42);
            while (running.get()) {
                int irq = maskable.get(random.nextInt(maskable.size()));
                try {
                    domain.setAffinity(irq, random.nextInt(domain.cpuCount()));
                } catch (IllegalStateException noRoom) {
                    refused.incrementAndGet(); // no free vector (block) there: refused, nothing changed
                }
                domain.mask(irq);
                domain.unmask(irq);
            }
        });
        Thread swapper = thread("stress-swap", failure, () -> {
            ProviderSwapper s = new ProviderSwapper(context, domain);
            while (running.get()) {
                swaps.addAndGet(s.swapAll());
            }
        });
        Terminal terminal = Terminal.of(context); // before the clock starts: the first use loads JLine's terminfo
        long begin = System.nanoTime();
        long end = begin + TimeUnit.SECONDS.toNanos(seconds);
        try (Progress progress = Progress.start(terminal, () -> "stress: "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin) + "/" + seconds + " s, " + w.totalFired()
                + " fired, " + w.totalDelivered() + " delivered, " + swaps.get() + " provider swaps")) {
            while (System.nanoTime() < end && failure.get() == null) {
                Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000))); // the soak's duration
            }
        }
        running.set(false);
        churn.join(TimeUnit.SECONDS.toMillis(60));
        swapper.join(TimeUnit.SECONDS.toMillis(60));
        firing.join();
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get().toString());
        }
        MainJob.awaitBound(domain);
        for (Workload.Vector v : w.vectors) {
            domain.unmask(v.irq()); // deliver whatever is still held
        }
        domain.awaitSettled(10_000);
        long fired = w.totalFired();
        long delivered = w.totalDelivered();
        long merged = machine.coalescedMessages() + domain.mergedWhileMasked() - mergedBefore;
        long lost = Math.max(0, fired - delivered - merged) + machine.lostMessages() - lostBefore;
        long duplicated = Math.max(0, delivered + merged - fired);
        System.err.println("stress: " + refused.get() + " affinity changes refused for lack of free vectors");
        out.print(InterruptsTable.format(domain));
        out.printf("fired=%d delivered=%d lost=%d duplicated=%d swaps=%d merged=%d%n", fired, delivered, lost, duplicated,
                swaps.get(), merged);
        return lost == 0 && duplicated == 0 ? 0 : 1;
    }

    /** A worker that records its first failure. */
    private static Thread thread(String name, AtomicReference<Throwable> failure, Step step) {
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
