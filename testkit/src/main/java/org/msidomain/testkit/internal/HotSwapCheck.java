package org.msidomain.testkit.internal;

import java.util.concurrent.TimeUnit;

import org.msidomain.testkit.CheckRow;
import org.osgi.framework.Bundle;

/**
 * hot-swap: the provider stopped and started, updated, uninstalled and installed again while every device
 * fires: nothing lost, nothing twice, delivered + merged = fired (a provider that masks a live entry while the
 * new owner rewrites it, as Linux's MSI-X write does, merges what is raised meanwhile).
 */
final class HotSwapCheck extends Check {

    /** Events each device fires between two hot-swap steps, at least. */
    static final int EVENTS_PER_STEP = 30;

    HotSwapCheck(Kit kit) {
        super("hot-swap", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Vectors vectors = kit.requestAll(Kit.FIRING_VECTORS);
        Counts before = Counts.of(machine, domain);
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        Firing firing = new Firing(vectors, subject.devices);
        long t0 = System.nanoTime();
        try {
            firing.start();
            firing.awaitEach(EVENTS_PER_STEP);
            p.stop();
            kit.awaitUnbound();
            firing.awaitEach(EVENTS_PER_STEP);
            p.start();
            kit.awaitBound(bsn);
            firing.awaitEach(EVENTS_PER_STEP);
            p.update();
            kit.awaitBound(bsn);
            firing.awaitEach(EVENTS_PER_STEP);
            String location = p.getLocation();
            p.uninstall();
            kit.awaitUnbound();
            firing.awaitEach(EVENTS_PER_STEP);
            Bundle again = context.installBundle(location);
            again.start();
            subject.provider(again);
            kit.awaitBound(bsn);
            firing.awaitEach(EVENTS_PER_STEP);
        } finally {
            firing.stop();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        domain.awaitSettled(10_000);
        String counts = requireAccounted(vectors, before);
        return pass("stop/start, update, uninstall/install in " + ms + " ms while " + vectors.all.size()
                + " vectors fired " + vectors.totalFired() + ": delivered " + vectors.totalDelivered() + ", " + counts
                + " (none lost, none twice; merged: raised while a takeover rewrote the live entry masked)");
    }
}
