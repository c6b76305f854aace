package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.condition.Condition;

/**
 * The Felix health check of the devices and the {@code msi.ready} condition, in Felix with the Felix HC core:
 * all bound is OK and ready; a stopped provider withdraws readiness at once (told by the domain: the poll is
 * set to a minute) and warns once the (small, configured) limit has passed; a provider that throws makes the device
 * critical; providers coming back make everything OK and ready again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HealthIT extends MsiTestSupport {

    private static final String READY = "(" + Condition.CONDITION_ID + "=msi.ready)";
    private static final long WARN_MS = 300;
    private static final long POLL_MS = 60_000;
    private static final long WAIT_S = 10;

    @Inject
    private HealthCheckExecutor executor;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @Test
    public void allBoundIsOkAndReadyAStoppedProviderWithdrawsReadinessAtOnceAndWarnsAfterTheLimit() throws Exception {
        configure("org.msidomain.health.devices", "unbound.warn.ms", WARN_MS, HealthCheck.class.getName());
        configure("org.msidomain.health.readiness", "poll.ms", POLL_MS, "org.msidomain.health.internal.ReadinessCondition");
        awaitState("00:04.0", BindingState.BOUND);
        await(this::ready, "msi.ready registered with every device bound");
        Result ok = health();
        assertEquals(lines(ok).toString(), Result.Status.OK, ok.getStatus());
        int devices = domain.devices().size();
        assertEquals(List.of("OK " + devices + "/" + devices + " devices bound"), lines(ok));

        Bundle pci = installed(PCI_PROVIDER);
        long stopped = System.nanoTime();
        pci.stop();
        await(() -> !ready(), "msi.ready withdrawn");
        long withdrawnMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertTrue("withdrawn by the unbind event, not the " + POLL_MS + " ms poll: " + withdrawnMs + " ms",
                withdrawnMs < POLL_MS / 2);

        long pciDevices = domain.devices().stream().filter(d -> d.storageType().equals("pci")).count();
        Result warn = null;
        long firstWarnMs = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            Result r = health();
            long warnings = lines(r).stream().filter(l -> l.startsWith("WARN ")).count();
            assertEquals("WARN exactly when a device is past the limit: " + lines(r),
                    warnings > 0 ? Result.Status.WARN : Result.Status.OK, r.getStatus());
            if (warnings > 0 && firstWarnMs < 0) {
                firstWarnMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            }
            if (warnings == pciDevices) {
                warn = r;
                break;
            }
            Thread.sleep(20); // polling the check until the limit has passed for every PCI device
        }
        assertNotNull("not every PCI device warned within " + WAIT_S + " s", warn);
        assertTrue("WARN only after the limit of " + WARN_MS + " ms: " + firstWarnMs + " ms", firstWarnMs >= WARN_MS);
        Pattern unbound = Pattern.compile("WARN 00:04\\.0 unbound for [0-9.]+ s \\(limit 0\\.3 s\\): its provider "
                + Pattern.quote(PCI_PROVIDER) + " .* left .*");
        assertTrue(lines(warn).toString(), lines(warn).stream().anyMatch(l -> unbound.matcher(l).matches()));
        assertEquals(lines(warn).toString(), "OK " + (devices - pciDevices) + "/" + devices + " devices bound",
                lines(warn).get(0));
        long warnedMs = firstWarnMs;
        System.out.println("health: readiness withdrawn " + withdrawnMs + " ms after the stop, WARN after " + warnedMs + " ms");

        pci.start();
        await(this::ready, "msi.ready registered again");
        assertEquals(Result.Status.OK, health().getStatus());
    }

    @Test
    public void aLimitThatIsNotANumberIsRefusedAndTheCheckRunsWithTheDefault() throws Exception {
        configure("org.msidomain.health.devices", "unbound.warn.ms", "soon", HealthCheck.class.getName());
        awaitState("00:04.0", BindingState.BOUND);
        Result ok = health();
        int devices = domain.devices().size();
        assertEquals("not an error of the check itself: " + lines(ok), Result.Status.OK, ok.getStatus());
        assertEquals(List.of("OK " + devices + "/" + devices + " devices bound"), lines(ok));
        Bundle pci = installed(PCI_PROVIDER);
        pci.stop();
        try {
            Result unbound = health();
            Pattern withDefault = Pattern.compile("OK 00:04\\.0 unbound for [0-9.]+ s \\(limit 30 s\\): .*");
            assertTrue("the default limit of 30 s: " + lines(unbound),
                    lines(unbound).stream().anyMatch(l -> withDefault.matcher(l).matches()));
        } finally {
            pci.start();
        }
    }

    @Test
    public void aProviderThatThrowsMakesTheDeviceCriticalUntilAHealthyOneBindsIt() throws Exception {
        awaitState("ims0", BindingState.BOUND);
        await(this::ready, "msi.ready registered with every device bound");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, "platform");
        props.put(Constants.SERVICE_RANKING, 100);
        ServiceRegistration<MsiStorageOps> faulty = context.registerService(MsiStorageOps.class, new ThrowingOps(), props);
        String me = context.getBundle().getSymbolicName();
        await(() -> domain.devices().stream().anyMatch(d -> d.id().equals("ims0") && d.provider().equals(me)),
                "ims0 bound to the faulty provider");
        try {
            domain.allocate("ims0", 1);
            fail("the faulty storage should fail the allocation");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("storage on fire"));
        }
        assertEquals(BindingState.FAILED, awaitState("ims0", BindingState.FAILED).state());
        await(() -> !ready(), "msi.ready withdrawn for the failed device");
        Result critical = health();
        assertEquals(lines(critical).toString(), Result.Status.CRITICAL, critical.getStatus());
        Pattern failed = Pattern.compile("CRITICAL ims0 failed [0-9.]+ s ago: provider " + Pattern.quote(me)
                + " failed on ims0: RuntimeException: storage on fire");
        assertTrue(lines(critical).toString(), lines(critical).stream().anyMatch(l -> failed.matcher(l).matches()));

        faulty.unregister(); // the platform provider takes ims0 back
        awaitState("ims0", BindingState.BOUND);
        await(this::ready, "msi.ready registered again");
        assertEquals(Result.Status.OK, health().getStatus());
    }

    /** Runs the checks tagged msi now, through Felix's executor; exactly one: ours. */
    private Result health() {
        List<HealthCheckExecutionResult> results = executor.execute(HealthCheckSelector.tags("msi"),
                new HealthCheckExecutionOptions().setForceInstantExecution(true));
        assertEquals(1, results.size());
        assertEquals("MSI devices", results.get(0).getHealthCheckMetadata().getName());
        return results.get(0).getHealthCheckResult();
    }

    private static List<String> lines(Result r) {
        List<String> out = new ArrayList<>();
        for (ResultLog.Entry e : r) {
            out.add(e.getStatus() + " " + e.getMessage());
        }
        return out;
    }

    private boolean ready() {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(Condition.class.getName(), READY);
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Configures a component through Config Admin and waits until its service shows the value. */
    private void configure(String pid, String key, Object value, String service) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(key, value);
        configAdmin.getConfiguration(pid, "?").update(props);
        String filter = "(&(component.name=" + pid + ")(" + key + "=" + value + "))";
        await(() -> {
            try {
                ServiceReference<?>[] refs = context.getAllServiceReferences(service, filter);
                return refs != null && refs.length > 0;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }, pid + " configured with " + key + "=" + value);
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT_S + " s: " + what + "; devices: " + domain.devices());
            }
            Thread.sleep(5); // service events are dispatched on framework threads
        }
    }

    /** A provider whose storage throws on every message write: a provider bug, not a refusal. */
    private static final class ThrowingOps implements MsiStorageOps {
        @Override
        public MsiStorage createStorage(HwDevice device, StorageRequest request) {
            return new MsiStorage() {
                @Override
                public StorageInfo info() {
                    return new StorageInfo("TEST-MSI-" + device.id(), 8, Set.of());
                }

                @Override
                public void writeMsg(MsiDescView desc, MsiMsg msg) {
                    throw new RuntimeException("storage on fire");
                }

                @Override
                public void mask(MsiDescView desc) {
                }

                @Override
                public void unmask(MsiDescView desc) {
                }
            };
        }

        @Override
        public int maxVectors(HwDevice device) {
            return 8;
        }
    }
}
