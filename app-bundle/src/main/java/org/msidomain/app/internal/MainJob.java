package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's main job: waits for every device to be bound, allocates each device's vectors as a
 * driver would (all its storage holds), spreads them over the CPUs, attaches counting handlers, makes
 * the devices fire, prints {@code /proc/interrupts} and one summary line. Exit code 0 only if every
 * fired interrupt was delivered once, on the CPU its affinity names.
 */
@Component(service = Function.class, property = "msi.launcher.role=main")
public final class MainJob implements Function<PrintStream, Integer> {

    static final int ROUNDS = 100;
    private static final long BIND_TIMEOUT_MS = 10_000;

    private final MsiDomain domain;
    private final Machine machine;

    @Activate
    public MainJob(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine) {
        this.domain = domain;
        this.machine = machine;
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
        long fired = fire(vectors);
        long total = 0;
        int misrouted = 0;
        for (int i = 0; i < vectors.size(); i++) {
            total += delivered.get(i);
            IrqInfo info = domain.irq(vectors.get(i).irq).orElseThrow();
            if (info.counts().get(info.cpu()) != ROUNDS) {
                misrouted++;
                System.err.printf("irq %d: %d of %d interrupts on its CPU%d%n", info.irq(),
                        info.counts().get(info.cpu()), ROUNDS, info.cpu());
            }
        }
        out.print(InterruptsTable.format(domain));
        long lost = fired - total;
        out.printf("fired=%d delivered=%d lost=%d%n", fired, total, lost);
        return lost == 0 && misrouted == 0 ? 0 : 1;
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

    /** Fires every vector {@link #ROUNDS} times, from one thread per CPU, each taking whole devices. */
    private long fire(List<Vector> vectors) throws InterruptedException {
        int threads = Math.min(domain.cpuCount(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<HwDevice> devices = vectors.stream().map(v -> v.device).distinct().toList();
            List<Future<Long>> done = new ArrayList<>();
            for (int t = 0; t < Math.max(1, threads); t++) {
                int first = t;
                int step = Math.max(1, threads);
                done.add(pool.submit(() -> {
                    long n = 0;
                    for (int i = first; i < devices.size(); i += step) {
                        HwDevice device = devices.get(i);
                        for (Vector v : vectors) {
                            if (v.device == device) {
                                for (int r = 0; r < ROUNDS; r++) {
                                    device.raise(v.index);
                                    n++;
                                }
                            }
                        }
                    }
                    return n;
                }));
            }
            long fired = 0;
            for (Future<Long> f : done) {
                fired += f.get(60, TimeUnit.SECONDS);
            }
            return fired;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("firing failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Vector(HwDevice device, int index, int irq) {
    }
}
