package org.example.ntb.provider.it;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.msidomain.api.MsiDomain;

/** Counting handlers for a device's vectors: deliveries per MSI index and the CPU of the last one. */
final class Tally {

    private final AtomicLongArray delivered;
    private final AtomicIntegerArray lastCpu;
    private final int[] irqs;

    Tally(MsiDomain domain, int[] irqs, String name) {
        this.irqs = irqs.clone();
        this.delivered = new AtomicLongArray(irqs.length);
        this.lastCpu = new AtomicIntegerArray(irqs.length);
        for (int i = 0; i < irqs.length; i++) {
            int index = i;
            domain.setHandler(irqs[i], name + "-" + i, (irq, cpu) -> {
                lastCpu.set(index, cpu);
                delivered.incrementAndGet(index);
            });
        }
    }

    int irq(int index) {
        return irqs[index];
    }

    long delivered(int index) {
        return delivered.get(index);
    }

    long total() {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) {
            sum += delivered.get(i);
        }
        return sum;
    }

    int lastCpu(int index) {
        return lastCpu.get(index);
    }

    /**
     * Waits for a condition with a deadline. The deliveries of raises already made complete on the raising
     * threads or at the CPUs' next interrupt enable; FileInstall polls its folder: both are looked at again every
     * 20 ms until the deadline.
     */
    static void await(BooleanSupplier condition, long seconds, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
