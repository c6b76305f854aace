package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import org.msidomain.api.MsiDomain;
import org.msidomain.hw.Machine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code --stress SECONDS}: for the given time, the devices fire from worker threads while
 * one thread changes affinities and masks and unmasks interrupts, another hot-swaps the providers and another
 * takes CPUs offline and online ({@value #HOTPLUG_RATE} cycles a second, H in the summary);
 * then everything is unmasked and the accounts are closed:
 * {@code fired=N delivered=M lost=0 duplicated=0 swaps=K merged=X hotplugs=H}, where {@code merged} are events that
 * hardware (or the core's pending flag) merged with one already pending while masked, so
 * {@code delivered + merged = fired}; {@code delivered} counts events delivered to their own handler, not a spurious
 * call of a handler (an interim vector's, {@link org.msidomain.api.MsiDomain#unhandled}). Exit code 0 only if nothing was lost or delivered twice.
 *
 * <p>A machine rebuilt meanwhile (a machine configuration applied) ends the soak: its devices are gone with
 * the old machine. SCR deactivates this component before the old domain lets go of the machine, so the
 * firing stops there and the accounts are taken while the old machine still delivers; the soak then prints
 * its summary and one line saying so.
 */
@Component(service = BiFunction.class, property = "msi.launcher.role=stress")
public final class StressJob implements BiFunction<String, PrintStream, Integer> {

    private final MsiDomain domain;
    private final Machine machine;
    private final BundleContext context;
    /** The soak running now, told when the machine goes. */
    private volatile Soak soak;

    @Activate
    public StressJob(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine,
            BundleContext context) {
        this.domain = domain;
        this.machine = machine;
        this.context = context;
    }

    /**
     * Deactivated while this bundle stays active: the machine or the domain went (Felix SCR gives no reason
     * code for it), so a running soak stops on the old machine. A framework stopping (Ctrl-C) is not that.
     */
    @Deactivate
    void deactivate() {
        Soak s = soak;
        if (s != null && context.getBundle().getState() == Bundle.ACTIVE) {
            s.machineReplaced();
        }
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
        } finally {
            soak = null;
        }
    }

    private int run(long seconds, PrintStream out) throws InterruptedException {
        MainJob.awaitBound(domain);
        int hotplugRate = hotplugRate();
        Terminal terminal = Terminal.of(context); // before the clock starts: the first use loads JLine's terminfo
        Soak s = new Soak(Workload.allocate(domain, machine), hotplugRate);
        soak = s;
        s.start();
        long end = s.begin + TimeUnit.SECONDS.toNanos(seconds);
        try (Progress progress = Progress.start(terminal, () -> "stress: "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - s.begin) + "/" + seconds + " s, " + s.w.totalFired()
                + " fired, " + s.w.totalDelivered() + " delivered, " + s.swaps.get() + " provider swaps")) {
            while (System.nanoTime() < end && s.failure.get() == null && s.replaced.get() == null) {
                Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000))); // the soak's duration
            }
        }
        Accounts a = s.finish();
        if (a == null) {
            a = s.afterReplacement(); // the machine went first
        }
        System.err.println("stress: " + s.refused.get() + " affinity changes refused for lack of free vectors or to an offline CPU");
        out.print(InterruptsTable.format(domain));
        out.printf("fired=%d delivered=%d lost=%d duplicated=%d swaps=%d merged=%d hotplugs=%d%n", a.fired, a.delivered,
                a.lost, a.duplicated, s.swaps.get(), a.merged, s.hotplugs.get());
        return a.lost == 0 && a.duplicated == 0 ? 0 : 1;
    }

    /** Framework property: CPU offline/online cycles per second during the soak (0: none). */
    static final String HOTPLUG_RATE = "msi.stress.hotplugRate";
    static final int DEFAULT_HOTPLUG_RATE = 20;

    private int hotplugRate() {
        String value = context.getProperty(HOTPLUG_RATE);
        return value == null || value.isBlank() ? DEFAULT_HOTPLUG_RATE : Integer.parseInt(value.trim());
    }

    /** The accounts of a soak; {@code held} only after a machine change (interrupts left with the old machine). */
    private record Accounts(long fired, long delivered, long merged, long lost, long duplicated, long held) {
    }

    /** One soak on this component's machine: the firing, churning and swapping threads and their accounts. */
    private final class Soak {

        final Workload w;
        final long mergedBefore = machine.coalescedMessages() + domain.mergedWhileMasked();
        final long lostBefore = machine.lostMessages();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger swaps = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        /** CPU offline/online cycles completed. */
        final AtomicInteger hotplugs = new AtomicInteger();
        final int hotplugRate;
        /** Set once the machine went: the accounts taken at that moment. */
        final AtomicReference<Accounts> replaced = new AtomicReference<>();
        private final CountDownLatch taken = new CountDownLatch(1);
        long begin;
        private volatile long replacedAfter;
        private Workload.Firing firing;
        private Thread churn;
        private Thread swapper;
        private Thread hotplug;

        Soak(Workload w, int hotplugRate) {
            this.w = w;
            this.hotplugRate = hotplugRate;
            w.baseline(domain);
        }

        void start() {
            // HPET events while masked are lost by design (no latch): its timers are moved, never masked.
            List<Integer> all = w.vectors.stream().map(Workload.Vector::irq).toList();
            List<Boolean> maskable = w.vectors.stream().map(v -> !v.device().storageType().equals("hpet")).toList();
            begin = System.nanoTime();
            firing = w.fire(Math.max(1, Math.min(2, domain.cpuCount())), 1, running::get);
            churn = thread("stress-churn", () -> {
                SplittableRandom random = new SplittableRandom(42);
                while (running.get() && !all.isEmpty()) {
                    int i = random.nextInt(all.size());
                    int irq = all.get(i);
                    try {
                        domain.setAffinity(irq, random.nextInt(domain.cpuCount()));
                    } catch (IllegalStateException noRoom) {
                        refused.incrementAndGet(); // no free vector (block) there: refused, nothing changed
                    }
                    if (maskable.get(i)) {
                        domain.mask(irq);
                        domain.unmask(irq);
                    }
                }
            });
            hotplug = thread("stress-hotplug", () -> {
                // CPU hot-unplug and back, at the rate asked: a random CPU goes offline (its irqs move to the
                // online ones), then comes back; every CPU is online when the soak ends
                SplittableRandom random = new SplittableRandom(7);
                int cpus = domain.cpuCount();
                long period = hotplugRate > 0 ? TimeUnit.SECONDS.toNanos(1) / hotplugRate : 0;
                long next = System.nanoTime();
                while (running.get() && hotplugRate > 0 && cpus > 1) {
                    int cpu = random.nextInt(cpus);
                    domain.cpuOffline(cpu);
                    domain.cpuOnline(cpu);
                    hotplugs.incrementAndGet();
                    next += period;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait); // the rate asked, not a wait for an event
                    }
                }
            });
            swapper = thread("stress-swap", () -> {
                ProviderSwapper s = new ProviderSwapper(context, domain);
                while (running.get()) {
                    swaps.addAndGet(s.swapAll());
                }
            });
        }

        /** The soak's time is over: stops the threads, delivers whatever is held, and closes the accounts. */
        Accounts finish() throws InterruptedException {
            if (!running.compareAndSet(true, false)) {
                return null; // the machine went first
            }
            churn.join(TimeUnit.SECONDS.toMillis(60));
            hotplug.join(TimeUnit.SECONDS.toMillis(60));
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
            return accounts(false);
        }

        /**
         * Called by SCR while the machine is being replaced, before the old domain disconnects from it: the
         * firing and the churn stop and the accounts are taken now. The swapper is interrupted (it waits on
         * the domain that is going); interrupts held masked or for a provider being swapped are counted as
         * held, not lost: they leave with the old machine.
         */
        void machineReplaced() {
            if (!running.compareAndSet(true, false)) {
                return; // the soak was over already
            }
            replacedAfter = System.nanoTime() - begin;
            swapper.interrupt();
            try {
                firing.join();
                churn.join(TimeUnit.SECONDS.toMillis(10));
                hotplug.join(TimeUnit.SECONDS.toMillis(10));
                replaced.set(accounts(true));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                taken.countDown();
            }
        }

        /** The run after the machine went: the swapper's end awaited, one line said, the accounts taken then. */
        Accounts afterReplacement() throws InterruptedException {
            swapper.join(TimeUnit.SECONDS.toMillis(10));
            if (!taken.await(30, TimeUnit.SECONDS) || replaced.get() == null) {
                throw new IllegalStateException("the machine was replaced and its accounts could not be taken: "
                        + failure.get());
            }
            Accounts a = replaced.get();
            System.err.printf(Locale.ROOT, "stress: the machine was replaced after %.1f s (a machine configuration "
                    + "was applied): the soak stopped there; %d interrupts held (masked, or waiting for a provider) "
                    + "left with the old machine%n", replacedAfter / 1e9, a.held);
            return a;
        }

        /**
         * The accounts, per vector: fired = delivered + merged for each one, where merged are its events merged with
         * one pending at the source, in the domain or in a CPU's IRR, so a loss on one vector and a duplicate on
         * another never cancel; each vector at fault gets one stderr line naming its irq and counts. A device that
         * does not count merges per interrupt (a kind from a bundle) is accounted with the machine-wide merges
         * that are left.
         */
        private Accounts accounts(boolean machineGoing) {
            long fired = w.totalFired();
            long delivered = w.totalOwnDelivered(domain); // a spurious call of a handler delivers no event
            long merged = machine.coalescedMessages() + domain.mergedWhileMasked() - mergedBefore;
            long lost = 0;
            long duplicated = 0;
            long held = 0;
            long pooledShortfall = 0;
            long pooledMerged = merged;
            for (int i = 0; i < w.vectors.size(); i++) {
                long f = w.fired.get(i);
                long d = w.delivered.get(i) - w.unhandled(domain, i); // not its own events: another's move
                long m = w.merged(domain, i);
                if (m < 0) {
                    pooledShortfall += f - d;
                    continue;
                }
                pooledMerged -= m;
                long gap = f - d - m;
                if (gap > 0 && machineGoing) {
                    held += gap; // left with the old machine (masked, or waiting for a provider)
                } else if (gap != 0) {
                    lost += Math.max(0, gap);
                    duplicated += Math.max(0, -gap);
                    System.err.printf("stress: irq %d: fired=%d delivered=%d merged=%d: %d %s%n", w.vectors.get(i).irq(),
                            f, d, m, Math.abs(gap), gap > 0 ? "lost" : "duplicated");
                }
            }
            long pooledGap = pooledShortfall - pooledMerged;
            if (pooledGap > 0 && machineGoing) {
                held += pooledGap;
            } else if (pooledGap != 0) {
                lost += Math.max(0, pooledGap);
                duplicated += Math.max(0, -pooledGap);
                System.err.printf("stress: vectors without per-interrupt merge counts: %d fired-delivered, %d merged%n",
                        pooledShortfall, pooledMerged);
            }
            lost += machine.lostMessages() - lostBefore;
            return new Accounts(fired, delivered, merged, lost, duplicated, held);
        }

        /** A worker that records its first failure (not after the machine went: the domain is going with it). */
        private Thread thread(String name, Step step) {
            Thread t = new Thread(() -> {
                try {
                    step.run();
                } catch (Throwable e) {
                    if (replacedAfter == 0) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, name);
            t.start();
            return t;
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
