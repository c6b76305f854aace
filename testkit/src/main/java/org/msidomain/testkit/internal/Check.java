package org.msidomain.testkit.internal;

import java.util.Map;
import java.util.stream.Collectors;

import org.msidomain.api.MsiDomain;
import org.msidomain.hw.Machine;
import org.msidomain.spi.StorageInfo;
import org.msidomain.testkit.CheckRow;
import org.osgi.framework.BundleContext;

/**
 * One check of the kit: measures one contract of the provider under test and returns its table row, or
 * throws AssertionError to fail. {@link Checks} binds the provider before and frees the vectors after.
 */
abstract class Check {

    final String name;
    final Kit kit;
    final BundleContext context;
    final MsiDomain domain;
    final Machine machine;
    final Subject subject;

    Check(String name, Kit kit) {
        this.name = name;
        this.kit = kit;
        this.context = kit.context;
        this.domain = kit.domain;
        this.machine = kit.machine;
        this.subject = kit.subject;
    }

    abstract CheckRow run() throws Exception;

    CheckRow pass(String measured) {
        return new CheckRow(name, CheckRow.PASS, measured);
    }

    CheckRow notApplicable(String why) {
        return new CheckRow(name, CheckRow.NOT_APPLICABLE, why);
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /**
     * Requires every event fired since {@code before} to be accounted for: nothing lost, nothing spurious, no
     * vector delivered more often than fired, and delivered + merged - unhandled = fired (unhandled: another
     * interrupt's message that reached a vector serving as a two-step move's interim vector, as on Linux). An event raised while the vector is
     * masked (a move masks it at the source, or holds it in the old CPU's IRR for a storage moved in Linux's two
     * steps; a takeover's rewrite of a live entry masks it as Linux's MSI-X write does) merges with the one already
     * pending, as edge interrupts do in hardware: the machine counts it as coalesced, and the handler still runs
     * after the last of them.
     *
     * @return the counts, for the row: {@code lost 0, merged M, spurious 0}
     */
    String requireAccounted(Vectors vectors, Counts before) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (vectors.totalDelivered() - unhandled(vectors) + (machine.coalescedMessages() - before.coalesced())
                < vectors.totalFired()
                && machine.lostMessages() == before.lost() && System.nanoTime() < deadline) {
            Thread.sleep(1); // a retriggered event still on its way
        }
        long merged = machine.coalescedMessages() - before.coalesced();
        String counts = "lost " + (machine.lostMessages() - before.lost()) + ", merged " + merged + ", spurious "
                + (Vectors.spurious(domain) - before.spurious());
        require(machine.lostMessages() == before.lost(), "lost messages: " + counts);
        require(Vectors.spurious(domain) == before.spurious(), "spurious messages: " + counts);
        long unhandled = 0;
        for (Vectors.Vector v : vectors.all) {
            long u = Vectors.unhandled(domain, v); // another irq's message in a two-step move's window
            unhandled += u;
            require(vectors.delivered(v) - u <= vectors.fired(v), v.where() + ": fired "
                    + vectors.fired(v) + ", delivered " + vectors.delivered(v) + ", unhandled " + u + " (twice)");
        }
        require(vectors.totalDelivered() - unhandled + merged == vectors.totalFired(), "fired "
                + vectors.totalFired() + ", delivered " + vectors.totalDelivered() + ", unhandled " + unhandled + " ("
                + counts + "): delivered + merged - unhandled != fired");
        return counts;
    }

    private long unhandled(Vectors vectors) {
        long n = 0;
        for (Vectors.Vector v : vectors.all) {
            n += Vectors.unhandled(domain, v);
        }
        return n;
    }

    /** The storage flags per device, as {@code device=FLAG+FLAG}. */
    static String flagSummary(Map<String, StorageInfo> flags) {
        return flags.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "="
                + (e.getValue().flags().isEmpty() ? "none" : e.getValue().flags().stream().map(Enum::name).sorted()
                        .collect(Collectors.joining("+")))).collect(Collectors.joining(" "));
    }

    /** The machine's lost, coalesced and spurious message counts at one moment, to measure a check against. */
    record Counts(long lost, long coalesced, long spurious) {
        static Counts of(Machine machine, MsiDomain domain) {
            return new Counts(machine.lostMessages(), machine.coalescedMessages(), Vectors.spurious(domain));
        }
    }
}
