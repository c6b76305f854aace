package org.msidomain.testkit.internal;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.testkit.CheckRow;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The kit's entry: runs a check by its table name against the running platform and records its row. One
 * instance per framework (the kit's bundle is installed fresh for each run); the checks are classes of their
 * own, sharing the {@link Kit}.
 */
public final class Checks {

    private static volatile Checks instance;
    /** Why the platform did not come up, once: every later check fails at once with it. */
    private static volatile AssertionError broken;

    private final Kit kit;
    private final Report report;

    private Checks(BundleContext context, MsiDomain domain, Machine machine, Ack ack) {
        this.kit = new Kit(context, domain, machine, ack);
        Subject subject = kit.subject;
        Bundle p = subject.provider();
        String header = "conformance: storage " + subject.storage + ", provider "
                + (p == null ? "(none found among " + subject.subjects + ")" : p.getSymbolicName() + " " + p.getVersion())
                + ", devices " + String.join(" ", subject.devices);
        this.report = new Report(header, Path.of(subject.report));
    }

    /** The kit's checks for this framework, created at the first use. */
    public static synchronized Checks get(BundleContext context, Ack ack) throws InterruptedException {
        if (broken != null) {
            throw broken;
        }
        if (instance == null) {
            try {
                instance = new Checks(context, service(context, MsiDomain.class), service(context, Machine.class), ack);
            } catch (AssertionError e) {
                broken = e;
                throw e;
            }
        }
        return instance;
    }

    /** A platform service, waited for (bounded). */
    static <T> T service(BundleContext context, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ServiceReference<T> ref = context.getServiceReference(type);
            if (ref != null) {
                T s = context.getService(ref);
                if (s != null) {
                    return s;
                }
            }
            Thread.sleep(10); // the platform's components are still activating
        }
        throw new AssertionError("no " + type.getSimpleName() + " service after 30 s (the platform did not start: see"
                + " the framework's errors above)");
    }

    public Report report() {
        return report;
    }

    /** Acknowledges a delivery at the device (the kit's hook, called from the handler). */
    public interface Ack {
        void acknowledge(HwDevice device, String storage, int index);
    }

    /** Runs a check by its table name. */
    public CheckRow run(String check) {
        Check body = switch (check) {
            case "binding" -> new BindingCheck(kit);
            case "capacity" -> new CapacityCheck(kit);
            case "delivery" -> new DeliveryCheck(kit);
            case "mask" -> new MaskCheck(kit);
            case "affinity-under-fire" -> new AffinityUnderFireCheck(kit);
            case "bus-lock" -> new BusLockCheck(kit);
            case "hot-swap" -> new HotSwapCheck(kit);
            case "leaks" -> new LeaksCheck(kit);
            case "decline" -> new DeclineCheck(kit);
            default -> throw new IllegalArgumentException("no check " + check + "; the checks: " + Report.CHECKS);
        };
        return run(check, body);
    }

    /**
     * Runs a check: the provider active and every device bound to it first, every vector freed after. A
     * failure becomes a FAIL row.
     */
    private CheckRow run(String check, Check body) {
        Subject subject = kit.subject;
        CheckRow row;
        long start = System.nanoTime();
        try {
            if (subject.devices.isEmpty()) {
                throw new AssertionError("no device of storage type " + subject.storage + " in the machine");
            }
            Bundle p = subject.provider();
            if (p == null && subject.location() != null) {
                p = kit.context.installBundle(subject.location()); // an earlier check failed with it uninstalled
                subject.provider(p);
            }
            if (p == null) {
                throw new AssertionError("no bundle under test " + subject.subjects + " serves storage type " + subject.storage);
            }
            if (p.getState() != Bundle.ACTIVE) {
                p.start();
            }
            kit.awaitBound(p.getSymbolicName());
            kit.freeAll();
            row = body.run();
        } catch (Throwable e) {
            row = new CheckRow(check, CheckRow.FAIL, String.valueOf(e.getMessage()).replace('\n', ' '));
            if (!(e instanceof AssertionError)) {
                row = new CheckRow(check, CheckRow.FAIL, e.toString().replace('\n', ' '));
                e.printStackTrace();
            }
        } finally {
            try {
                kit.freeAll();
            } catch (RuntimeException e) {
                System.err.println("msi-testkit: free after " + check + ": " + e);
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        row = new CheckRow(row.check(), row.result(), row.measured() + " (" + ms + " ms)");
        report.add(row);
        return row;
    }
}
