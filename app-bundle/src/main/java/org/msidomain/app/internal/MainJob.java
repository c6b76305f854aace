package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
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
        List<Vector> vectors = allocateAll();
        AtomicLongArray delivered = new AtomicLongArray(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            int slot = i;
            Vector v = vectors.get(i);
            domain.setAffinity(v.irq, i % domain.cpuCount());
            domain.setHandler(v.irq, v.device.id() + "-q" + v.index, Drivers.handler(v.device, v.index, delivered, slot));
        }
        AtomicLongArray fired = new AtomicLongArray(vectors.size());
        int swaps = fireWhileSwapping(vectors, fired);
        long totalFired = 0;
        long totalDelivered = 0;
        long lost = 0;
        long duplicated = 0;
        int misrouted = 0;
        for (int i = 0; i < vectors.size(); i++) {
            long f = fired.get(i);
            long d = delivered.get(i);
            totalFired += f;
            totalDelivered += d;
            lost += Math.max(0, f - d);
            duplicated += Math.max(0, d - f);
            IrqInfo info = domain.irq(vectors.get(i).irq).orElseThrow();
            if (info.counts().get(info.cpu()) != f) {
                misrouted++;
                System.err.printf("irq %d: %d of %d interrupts on its CPU%d%n", info.irq(),
                        info.counts().get(info.cpu()), f, info.cpu());
            }
        }
        out.print(InterruptsTable.format(domain));
        out.printf("fired=%d delivered=%d lost=%d duplicated=%d swaps=%d%n", totalFired, totalDelivered, lost,
                duplicated, swaps);
        return lost == 0 && duplicated == 0 && misrouted == 0 ? 0 : 1;
    }

    private void awaitBound() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_TIMEOUT_MS);
        while (true) {
            domain.awaitSettled(BIND_TIMEOUT_MS);
            List<DeviceInfo> unbound = domain.devices().stream().filter(d -> d.state() != BindingState.BOUND).toList();
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

    private List<Vector> allocateAll() {
        List<Vector> vectors = new ArrayList<>();
        for (DeviceInfo d : domain.devices()) {
            HwDevice hw = machine.device(d.id()).orElseThrow();
            int max = domain.maxVectors(d.id());
            try {
                int[] irqs = domain.allocate(d.id(), max);
                for (int index = 0; index < irqs.length; index++) {
                    vectors.add(new Vector(hw, index, irqs[index]));
                }
            } catch (IllegalArgumentException notAll) {
                // Some indices cannot be used (an HPET timer without FSB delivery): take each one that can.
                for (int index = 0; index < max; index++) {
                    try {
                        vectors.add(new Vector(hw, index, domain.allocateAt(d.id(), index)));
                    } catch (IllegalArgumentException e) {
                        System.err.println("main job: " + e.getMessage());
                    }
                }
            }
        }
        return vectors;
    }

    /**
     * Fires every vector from one thread per CPU (each thread owns whole devices), at least
     * {@link #ROUNDS} times each, and for as long as the provider swaps take.
     *
     * @return the number of swaps
     */
    private int fireWhileSwapping(List<Vector> vectors, AtomicLongArray fired) throws InterruptedException {
        int threads = Math.max(1, Math.min(domain.cpuCount(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean swapping = new AtomicBoolean(true);
        try {
            List<HwDevice> devices = vectors.stream().map(v -> v.device).distinct().toList();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < ROUNDS || swapping.get(); round++) {
                        for (int i = 0; i < vectors.size(); i++) {
                            Vector v = vectors.get(i);
                            if (devices.indexOf(v.device) % threads == first) {
                                v.device.raise(v.index);
                                fired.incrementAndGet(i);
                            }
                        }
                    }
                    return null;
                }));
            }
            int swaps;
            try {
                swaps = new ProviderSwapper(context, domain).swapAll();
            } finally {
                swapping.set(false);
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            return swaps;
        } catch (BundleException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("firing or swapping failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Vector(HwDevice device, int index, int irq) {
    }
}
