package org.msidomain.app.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;

/**
 * Every device's vectors allocated as a driver would (all its storage holds; an HPET's timers one by
 * one, skipping those without FSB delivery; one MSI vector where multi-message MSI needs remapping),
 * spread over the CPUs, each with its driver's handler, and per-vector counts of what was fired and what
 * was delivered.
 */
final class Workload {

    /** One allocated vector. */
    record Vector(HwDevice device, int index, int irq) {
    }

    final List<Vector> vectors = new ArrayList<>();
    final AtomicLongArray fired;
    final AtomicLongArray delivered;

    private Workload(MsiDomain domain, Machine machine) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (DeviceInfo d : domain.devices()) {
            // the devices of the machine, each by its default storage (the first row: a device raises through it);
            // a described device still waiting for its kind is not part of the machine
            if (d.state() == BindingState.WAITING || !seen.add(d.id())) {
                continue;
            }
            HwDevice hw = machine.device(d.id()).orElseThrow();
            int max = domain.maxVectors(d.id());
            try {
                int[] irqs = domain.allocate(d.id(), max);
                for (int index = 0; index < irqs.length; index++) {
                    vectors.add(new Vector(hw, index, irqs[index]));
                }
            } catch (IllegalArgumentException notAll) {
                try {
                    // Some indices cannot be used (an HPET timer without FSB delivery): take each one that can.
                    for (int index = 0; index < max; index++) {
                        try {
                            vectors.add(new Vector(hw, index, domain.allocateAt(d.id(), index)));
                        } catch (IllegalArgumentException e) {
                            System.err.println("workload: " + e.getMessage());
                        }
                    }
                } catch (IllegalStateException notDynamic) {
                    // Storage that cannot grow and refused all (multi-message MSI without interrupt remapping):
                    // one vector, as pci_alloc_irq_vectors(dev, 1, max, PCI_IRQ_MSI) gets on such a machine.
                    vectors.add(new Vector(hw, 0, domain.allocate(d.id(), 1)[0]));
                }
            } catch (IllegalStateException noRoom) {
                // The parent has no room for all (a GICv2m frame's SPIs, -ENOSPC): one vector, as a driver's
                // fallback takes (ahci_init_msi: pci_alloc_irq_vectors(pdev, 1, 1, ...)).
                System.err.println("workload: " + noRoom.getMessage() + "; taking 1 vector");
                vectors.add(new Vector(hw, 0, domain.allocate(d.id(), 1)[0]));
            }
        }
        fired = new AtomicLongArray(vectors.size());
        delivered = new AtomicLongArray(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            Vector v = vectors.get(i);
            domain.setAffinity(v.irq, i % domain.cpuCount());
            domain.setHandler(v.irq, v.device.id() + "-q" + v.index, Drivers.handler(v.device, v.index, delivered, i));
        }
    }

    static Workload allocate(MsiDomain domain, Machine machine) {
        return new Workload(domain, machine);
    }

    /** Starts firing every vector from {@code threads} threads (each owns whole devices), while {@code more} holds and at least {@code minRounds} times. */
    Firing fire(int threads, int minRounds, BooleanSupplier more) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<HwDevice> devices = vectors.stream().map(Vector::device).distinct().toList();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int mine = t;
            done.add(pool.submit(() -> {
                for (int round = 0; round < minRounds || more.getAsBoolean(); round++) {
                    for (int i = 0; i < vectors.size(); i++) {
                        Vector v = vectors.get(i);
                        if (devices.indexOf(v.device) % threads == mine) {
                            v.device.raise(v.index);
                            fired.incrementAndGet(i);
                        }
                    }
                }
                return null;
            }));
        }
        return new Firing(pool, done);
    }

    /** Firing in progress. */
    record Firing(ExecutorService pool, List<Future<?>> done) {
        /** Waits for the firing threads to finish (bounded). */
        void join() {
            try {
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while firing");
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("firing failed: " + e.getCause(), e);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The merges counted per vector until now, so {@link #merged} counts from here (-1 where not counted). */
    long[] mergedBase;
    /** The unhandled deliveries of every vector when the accounts started. */
    long[] unhandledBase;

    /** Takes the merge and unhandled counts of every vector as the start of the accounts. */
    void baseline(MsiDomain domain) {
        mergedBase = new long[vectors.size()];
        unhandledBase = new long[vectors.size()];
        for (int i = 0; i < vectors.size(); i++) {
            mergedBase[i] = mergedNow(domain, i);
            unhandledBase[i] = unhandledNow(domain, i);
        }
    }

    /**
     * The deliveries to vector {@code i}'s handler since {@link #baseline} that its device did not send: a two-step
     * move of another interrupt borrowed this vector's number on its old CPU ({@link MsiDomain#unhandled}). Its
     * accounts close as fired = delivered - unhandled + merged.
     */
    long unhandled(MsiDomain domain, int i) {
        return unhandledNow(domain, i) - (unhandledBase == null ? 0 : unhandledBase[i]);
    }

    private long unhandledNow(MsiDomain domain, int i) {
        try {
            return domain.unhandled(vectors.get(i).irq());
        } catch (IllegalArgumentException gone) {
            return 0; // freed with its machine: nothing more arrives
        }
    }

    /**
     * The events of vector {@code i} merged with one pending since {@link #baseline}: at the source (its device's
     * count) and in the domain or a CPU's IRR (the domain's); -1 if its device does not count them per interrupt.
     */
    long merged(MsiDomain domain, int i) {
        long now = mergedNow(domain, i);
        return now < 0 || mergedBase == null || mergedBase[i] < 0 ? -1 : now - mergedBase[i];
    }

    private long mergedNow(MsiDomain domain, int i) {
        Vector v = vectors.get(i);
        long atSource = v.device.merged(v.device.storageType(), v.index);
        return atSource < 0 ? -1 : atSource + domain.merged(v.irq);
    }

    long totalFired() {
        long sum = 0;
        for (int i = 0; i < fired.length(); i++) {
            sum += fired.get(i);
        }
        return sum;
    }

    long totalDelivered() {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) {
            sum += delivered.get(i);
        }
        return sum;
    }

    /**
     * The events delivered to their own vector's handler since {@link #baseline}: every handler call but the
     * unhandled ones ({@link #unhandled}), so that, over all vectors as for each, fired = delivered + merged.
     */
    long totalOwnDelivered(MsiDomain domain) {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) {
            sum += delivered.get(i) - unhandled(domain, i);
        }
        return sum;
    }
}
