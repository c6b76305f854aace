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

    /** The storage flags per device, as {@code device=FLAG+FLAG}. */
    static String flagSummary(Map<String, StorageInfo> flags) {
        return flags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().flags().stream().map(Enum::name)
                .sorted().collect(Collectors.joining("+"))).collect(Collectors.joining(" "));
    }

    /** The machine's lost, coalesced and spurious message counts at one moment, to measure a check against. */
    record Counts(long lost, long coalesced, long spurious) {
        static Counts of(Machine machine, MsiDomain domain) {
            return new Counts(machine.lostMessages(), machine.coalescedMessages(), Vectors.spurious(domain));
        }
    }
}
