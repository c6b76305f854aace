package org.msidomain.testkit.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.msidomain.testkit.internal.Vectors.Vector;

/** One firing thread per device, raising its vectors in turn until stopped. */
final class Firing {

    private final Vectors vectors;
    private final List<String> devices;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    Firing(Vectors vectors, List<String> devices) {
        this.vectors = vectors;
        this.devices = devices;
    }

    void start() {
        for (String d : devices) {
            List<Vector> mine = vectors.of(d);
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        for (Vector v : mine) {
                            vectors.raise(v);
                        }
                        Thread.yield(); // leave the swapping thread its share of 2 cores
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "msi-testkit-fire-" + d);
            threads.add(t);
            t.start();
        }
    }

    /** Waits until every device fired each of its vectors {@code events} more times (bounded). */
    void awaitEach(int events) throws InterruptedException {
        Map<Vector, Long> from = new HashMap<>();
        for (Vector v : vectors.all) {
            from.put(v, vectors.fired(v));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Vector v : vectors.all) {
            while (vectors.fired(v) < from.get(v) + events) {
                rethrow(failure);
                Check.require(System.nanoTime() < deadline, v.device() + " stopped firing");
                Thread.sleep(1);
            }
        }
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        rethrow(failure);
    }

    /** Fails the check with what a firing thread threw, if one did. */
    static void rethrow(AtomicReference<Throwable> failure) {
        if (failure.get() != null) {
            throw new AssertionError("a firing thread failed: " + failure.get(), failure.get());
        }
    }
}
