package org.msidomain.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;

/**
 * affinity-under-fire: affinity changes while every device fires lose nothing, add nothing spurious and
 * deliver nothing twice.
 */
final class AffinityUnderFireCheck extends Check {

    /** Affinity changes in affinity-under-fire. */
    static final int AFFINITY_CHANGES = 200;
    /** Rounds over its vectors each device fires per affinity change. */
    static final int ROUNDS = 4;

    AffinityUnderFireCheck(Kit kit) {
        super("affinity-under-fire", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Vectors vectors = kit.requestAll(Kit.FIRING_VECTORS);
        Counts before = Counts.of(machine, domain);
        int changes = 0;
        int cpus = domain.cpuCount();
        // lock-step: in each phase the main thread changes one affinity while every device fires its vectors
        // ROUNDS times, so the run is bounded by counts and every change overlaps firing
        Phaser phaser = new Phaser(1 + subject.devices.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (String d : subject.devices) {
            List<Vector> mine = vectors.of(d);
            Thread t = new Thread(() -> {
                try {
                    for (int phase = 0; phase < AFFINITY_CHANGES; phase++) {
                        for (int r = 0; r < ROUNDS; r++) {
                            for (Vector v : mine) {
                                vectors.raise(v);
                            }
                        }
                        phaser.arriveAndAwaitAdvance();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                    phaser.arriveAndDeregister();
                }
            }, "msi-testkit-fire-" + d);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            for (int i = 0; i < AFFINITY_CHANGES; i++) {
                Vector v = vectors.all.get(i % vectors.all.size());
                domain.setAffinity(v.irq(), (i / vectors.all.size() + v.slot() + 1) % cpus);
                changes++;
                phaser.awaitAdvanceInterruptibly(phaser.arrive(), 60, TimeUnit.SECONDS);
            }
        } finally {
            phaser.forceTermination();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        Firing.rethrow(failure);
        domain.awaitSettled(10_000);
        String counts = requireAccounted(vectors, before);
        return pass(changes + " affinity changes while " + subject.devices.size()
                + " threads fired " + vectors.totalFired() + ": delivered " + vectors.totalDelivered() + ", " + counts
                + " (merged: raised while the move masked the vector, one delivery after; delivered + merged = fired)");
    }
}
