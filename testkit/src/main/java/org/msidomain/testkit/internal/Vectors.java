package org.msidomain.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;

/**
 * The vectors a check allocated on the devices under test, each with a counting handler: per vector the
 * deliveries, the CPU of the last one, and what the check fired. Handlers allocate nothing.
 */
final class Vectors {

    /** One allocated vector. */
    record Vector(int slot, String device, HwDevice hw, int index, int irq) {
        /** How a row names the vector: {@code device/index}. */
        String where() {
            return device + "/" + index;
        }
    }

    private final MsiDomain domain;
    private final String storage;
    final List<Vector> all = new ArrayList<>();
    private final AtomicLongArray delivered = new AtomicLongArray(4096);
    private final AtomicLongArray fired = new AtomicLongArray(4096);
    private final AtomicIntegerArray lastCpu = new AtomicIntegerArray(4096);

    Vectors(MsiDomain domain, String storage) {
        this.domain = domain;
        this.storage = storage;
    }

    /** Whether the storage is the device's default one (else it is a secondary storage of the device). */
    static boolean isDefault(HwDevice hw, String storage) {
        return hw.storageType().equals(storage);
    }

    /** Indices the storage refused in the last {@link #allocate} that fell back to one index at a time. */
    final java.util.Map<Integer, String> refused = new java.util.TreeMap<>();

    /**
     * Allocates {@code count} vectors the way a driver does ({@code allocate}); where that cannot take the
     * indices 0..count-1 (an HPET whose first timers cannot deliver by FSB message), one {@code allocateAt}
     * per index of the storage, skipping the indices it refuses (recorded in {@link #refused}), so fewer may
     * come back.
     */
    int[] allocate(HwDevice hw, int count) {
        String variant = isDefault(hw, storage) ? "" : storage;
        refused.clear();
        try {
            return domain.allocate(hw.id(), count, variant);
        } catch (IllegalArgumentException whole) {
            int max = domain.maxVectors(hw.id(), storage);
            if (!variant.isEmpty() || count > max) {
                throw whole;
            }
            List<Integer> irqs = new ArrayList<>();
            for (int index = 0; index < max && irqs.size() < count; index++) {
                try {
                    irqs.add(domain.allocateAt(hw.id(), storage, index));
                } catch (IllegalArgumentException e) {
                    refused.put(index, e.getMessage());
                }
            }
            if (irqs.isEmpty()) {
                throw whole;
            }
            return irqs.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Allocates and requests up to {@code max} vectors of the device (its capacity if smaller). */
    void request(HwDevice hw, int max, Checks.Ack ack) {
        int count = Math.min(max, domain.maxVectors(hw.id(), storage));
        for (int irq : allocate(hw, count)) {
            int slot = all.size();
            int index = domain.irq(irq).orElseThrow().index();
            Vector v = new Vector(slot, hw.id(), hw, index, irq);
            all.add(v);
            lastCpu.set(slot, -1);
            domain.setHandler(irq, "conformance-" + hw.id() + "-" + index, (n, cpu) -> {
                lastCpu.set(slot, cpu);
                delivered.incrementAndGet(slot);
                ack.acknowledge(hw, storage, index);
            });
        }
    }

    /** The device raises the vector's interrupt; counted as fired. */
    void raise(Vector v) {
        fired.incrementAndGet(v.slot());
        if (isDefault(v.hw(), storage)) {
            v.hw().raise(v.index());
        } else {
            v.hw().raise(storage, v.index());
        }
    }

    long delivered(Vector v) {
        return delivered.get(v.slot());
    }

    long fired(Vector v) {
        return fired.get(v.slot());
    }

    int lastCpu(Vector v) {
        return lastCpu.get(v.slot());
    }

    /** Waits, bounded, until the vector has at least {@code count} deliveries; returns whether it did. */
    boolean awaitDelivered(Vector v, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered(v) < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1); // delivery is normally synchronous with raise; this covers an IRR held by a move
        }
        return true;
    }

    /** Raises one event and waits, bounded, for its delivery; returns whether it came. */
    boolean raiseOnce(Vector v) throws InterruptedException {
        long before = delivered(v);
        raise(v);
        return awaitDelivered(v, before + 1);
    }

    List<Vector> of(String device) {
        return all.stream().filter(v -> v.device().equals(device)).toList();
    }

    long totalFired() {
        long n = 0;
        for (Vector v : all) {
            n += fired(v);
        }
        return n;
    }

    long totalDelivered() {
        long n = 0;
        for (Vector v : all) {
            n += delivered(v);
        }
        return n;
    }

    /**
     * Deliveries to the vector's handler of another interrupt's message: a non-maskable move's interim vector that
     * the vector owns on the old CPU (x86 {@code msi_set_affinity}'s accepted spurious interrupt).
     */
    static long unhandled(MsiDomain domain, Vector v) {
        try {
            return domain.unhandled(v.irq());
        } catch (IllegalArgumentException freed) {
            return 0;
        }
    }

    static long spurious(MsiDomain domain) {
        long n = 0;
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            n += domain.spurious(cpu);
        }
        return n;
    }

    static long lost(Machine machine) {
        return machine.lostMessages();
    }
}
