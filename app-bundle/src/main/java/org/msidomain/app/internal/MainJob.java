package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.Machine;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's main job: waits for every device to be bound, allocates each device's vectors as a
 * driver would (all its storage holds), spreads them over the CPUs, attaches counting handlers, and
 * makes the devices fire from worker threads while it stops and starts every provider bundle and updates
 * one; then prints {@code /proc/interrupts} and one summary line
 * {@code fired=N delivered=N lost=0 duplicated=0 swaps=K}. Exit code 0 only if every fired interrupt was
 * delivered exactly once, on the CPU its affinity names.
 */
@Component(service = Function.class, property = "msi.launcher.role=main")
public final class MainJob implements Function<PrintStream, Integer> {

    static final int ROUNDS = 100;
    private static final long BIND_TIMEOUT_MS = 10_000;

    private final MsiDomain domain;
    private final Machine machine;

    private final BundleContext context;

    @Activate
    public MainJob(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine,
            BundleContext context) {
        this.domain = domain;
        this.machine = machine;
        this.context = context;
    }

    @Override
    public Integer apply(PrintStream out) {
        try {
            return run(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("main job interrupted");
            return 1;
        } catch (RuntimeException e) {
            System.err.println("main job failed: " + e.getMessage());
            return 1;
        }
    }

    private int run(PrintStream out) throws InterruptedException {
        awaitBound();
        Workload w = Workload.allocate(domain, machine);
        w.baseline(domain);
        ProviderSwapper swapper = new ProviderSwapper(context, domain);
        int swaps;
        try (Progress progress = Progress.start(Terminal.of(context), () -> status(w, swapper))) {
            AtomicBoolean swapping = new AtomicBoolean(true);
            int threads = Math.max(1, Math.min(domain.cpuCount(), Runtime.getRuntime().availableProcessors()));
            Workload.Firing firing = w.fire(threads, ROUNDS, swapping::get);
            try {
                swaps = swapper.swapAll();
            } catch (BundleException e) {
                throw new IllegalStateException("swapping providers failed: " + e.getMessage(), e);
            } finally {
                swapping.set(false);
                firing.join();
            }
        }
        long lost = 0;
        long duplicated = 0;
        int misrouted = 0;
        for (int i = 0; i < w.vectors.size(); i++) {
            long f = w.fired.get(i);
            long u = w.unhandled(domain, i); // another interrupt's two-step move borrowed this vector's number
            long d = w.delivered.get(i) - u;
            long m = Math.max(0, w.merged(domain, i)); // none expected: nothing is masked (a kind's: not counted)
            lost += Math.max(0, f - d - m);
            duplicated += Math.max(0, d + m - f);
            if (f != d + m) { // per vector: a loss here and a duplicate there never cancel
                System.err.printf("irq %d: fired=%d delivered=%d merged=%d%n", w.vectors.get(i).irq(), f, d, m);
            }
            IrqInfo info = domain.irq(w.vectors.get(i).irq()).orElseThrow();
            if (info.counts().get(info.cpu()) != f + u) {
                misrouted++;
                System.err.printf("irq %d: %d of %d interrupts on its CPU%d%n", info.irq(),
                        info.counts().get(info.cpu()), f, info.cpu());
            }
        }
        out.print(InterruptsTable.format(domain));
        out.printf("fired=%d delivered=%d lost=%d duplicated=%d swaps=%d%n", w.totalFired(), w.totalOwnDelivered(domain), lost,
                duplicated, swaps);
        return lost == 0 && duplicated == 0 && misrouted == 0 ? 0 : 1;
    }

    /** The progress line: {@code main job: 812345 fired, 812340 delivered, provider swaps 2/5}. */
    private static String status(Workload w, ProviderSwapper swapper) {
        int planned = swapper.planned;
        return "main job: " + w.totalFired() + " fired, " + w.totalDelivered() + " delivered, provider swaps "
                + swapper.done + (planned > 0 ? "/" + planned : "");
    }

    static void awaitBound(MsiDomain domain) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_TIMEOUT_MS);
        while (true) {
            domain.awaitSettled(BIND_TIMEOUT_MS);
            // a described device waiting for its kind is not part of the machine: the job runs without it
            List<DeviceInfo> unbound = domain.devices().stream()
                    .filter(d -> d.state() != BindingState.BOUND && d.state() != BindingState.WAITING).toList();
            if (unbound.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("devices not bound after " + BIND_TIMEOUT_MS + " ms: "
                        + unbound.stream().map(d -> d.id() + " (" + d.reason() + ")").toList());
            }
            Thread.sleep(20); // providers bind as their bundles start; poll briefly
        }
    }

    private void awaitBound() throws InterruptedException {
        awaitBound(domain);
    }

}
