package org.msidomain.testkit.internal;

import java.util.concurrent.TimeUnit;

import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;
import org.osgi.framework.Bundle;

/**
 * hot-swap: the provider stopped and started, updated, uninstalled and installed again while every device
 * fires: every event delivered exactly once.
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
        long lost = before.lost();
        long coalesced = before.coalesced();
        long spurious = before.spurious();
        String counts = "lost " + (machine.lostMessages() - lost) + ", coalesced "
                + (machine.coalescedMessages() - coalesced) + ", spurious " + (Vectors.spurious(domain) - spurious);
        require(machine.lostMessages() == lost, "fired " + vectors.totalFired() + ", delivered "
                + vectors.totalDelivered() + " (machine: " + counts + ")");
        for (Vector v : vectors.all) {
            vectors.awaitDelivered(v, vectors.fired(v));
            require(vectors.fired(v) == vectors.delivered(v), v.where() + ": fired "
                    + vectors.fired(v) + ", delivered " + vectors.delivered(v) + " (machine: " + counts + ")");
        }
        require(machine.coalescedMessages() == coalesced, "coalesced " + coalesced + " -> " + machine.coalescedMessages());
        require(Vectors.spurious(domain) == spurious, "spurious " + spurious + " -> " + Vectors.spurious(domain));
        return pass("stop/start, update, uninstall/install in " + ms + " ms while " + vectors.all.size()
                + " vectors fired " + vectors.totalFired() + ": delivered " + vectors.totalDelivered()
                + " (none lost, none twice)");
    }
}
