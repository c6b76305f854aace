package org.msidomain.health.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiEvents;
import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condition.Condition;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers the OSGi condition {@code osgi.condition.id=msi.ready} while every device of the machine is
 * bound, and withdraws it as soon as one is unbound or failed. It looks again when a provider service
 * comes or goes (a DS reference that takes only the service reference, so no provider object is held
 * here), when the domain posts that a device failed (the only change without a service event), and every
 * {@code poll.ms} as a safety net. It does not subscribe to the domain's provider events: those come with
 * every provider swap and while the framework shuts down, and would grow Event Admin's thread pool and
 * give it deliveries that its own stop interrupts. Every look and every (un)registration runs on one
 * thread, so none races another and no lock is held while the framework calls service listeners.
 */
@Component(name = ReadinessCondition.PID, configurationPid = ReadinessCondition.PID, immediate = true,
        service = { EventHandler.class, ReadinessCondition.class },
        property = { EventConstants.EVENT_TOPIC + "=" + MsiEvents.DEVICE_FAILED,
            "poll.ms:Long=" + ReadinessCondition.DEFAULT_POLL_MS })
@Designate(ocd = ReadinessCondition.Config.class)
public final class ReadinessCondition implements EventHandler {

    private static final System.Logger LOG = System.getLogger("org.msidomain.health");
    static final String PID = "org.msidomain.health.readiness";
    /** The condition's id: components can wait for it with a target {@code (osgi.condition.id=msi.ready)}. */
    public static final String CONDITION_ID = "msi.ready";
    static final long DEFAULT_POLL_MS = 1_000;

    @ObjectClassDefinition(id = PID, name = "MSI readiness condition",
            description = "Registers the condition msi.ready while every device is bound.")
    public @interface Config {
        @AttributeDefinition(name = "Poll interval (ms)", min = "10",
                description = "How often the bindings are looked at besides the domain's events.")
        long poll_ms() default DEFAULT_POLL_MS;
    }

    private final MsiDomain domain;
    private final BundleContext context;
    /** The bundle of the domain's implementation (the core): it uses a provider's service once it has bound it. */
    private final Bundle domainBundle;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "msi-readiness");
        t.setDaemon(true);
        return t;
    });
    /** Only touched on the worker thread, and in deactivate after it has ended. */
    private ServiceRegistration<Condition> registration;

    @Activate
    public ReadinessCondition(@Reference(name = "domain") MsiDomain domain, BundleContext context,
            Map<String, Object> properties) {
        this.domain = domain;
        this.context = context;
        this.domainBundle = FrameworkUtil.getBundle(domain.getClass());
        Millis interval = Millis.read(properties, PID, "poll.ms", DEFAULT_POLL_MS, 10);
        if (interval.refusal() != null) {
            LOG.log(System.Logger.Level.WARNING, interval.warning());
        }
        long poll = interval.value();
        worker.scheduleWithFixedDelay(this::lookQuietly, 0, poll, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
        withdraw();
    }

    @Reference(service = MsiStorageOps.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindProvider(ServiceReference<MsiStorageOps> provider) {
        lookWhen(() -> usedByDomain(provider));
    }

    /** After the provider's unregistration has completed: every listener, the domain's too, has been told. */
    void unbindProvider(ServiceReference<MsiStorageOps> provider) {
        lookWhen(() -> provider.getBundle() == null);
    }

    /** Whether the domain has been handed the provider (SCR gets the service just before its bind). */
    private boolean usedByDomain(ServiceReference<MsiStorageOps> provider) {
        Bundle[] users = provider.getUsingBundles();
        if (provider.getBundle() == null || users == null) {
            return provider.getBundle() == null;
        }
        for (Bundle b : users) {
            if (b.equals(domainBundle)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Looks on the worker once {@code ready} holds, or after a second (then the poll catches up): service
     * events reach the domain and this component in no set order, and the domain binds asynchronously, so
     * the look waits for the domain's side of the event and then for the domain to settle.
     */
    private void lookWhen(BooleanSupplier ready) {
        try {
            worker.execute(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                try {
                    while (!ready.getAsBoolean() && System.nanoTime() < deadline) {
                        Thread.sleep(1); // the framework is still calling the other listeners
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // deactivated
                }
                lookQuietly();
            });
        } catch (RejectedExecutionException e) {
            // deactivated
        }
    }

    @Override
    public void handleEvent(Event event) {
        try {
            worker.execute(this::lookQuietly);
        } catch (RejectedExecutionException e) {
            // deactivated
        }
    }

    /** Looks now, updates the condition, and tells what it saw (msi:health). */
    Readiness refresh() {
        try {
            return CompletableFuture.supplyAsync(this::look, worker).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking at the bindings");
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            throw new IllegalStateException("readiness unknown: " + e);
        }
    }

    /** A failed look is logged and the next event or poll tries again (a thrown one would end the poll). */
    private void lookQuietly() {
        try {
            look();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "msi.ready: looking at the bindings failed: " + e, e);
        }
    }

    private Readiness look() {
        try {
            domain.awaitSettled(10_000); // the event that woke us is processed by the domain first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Readiness r = Readiness.of(domain.devices());
        if (r.ready() && registration == null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Condition.CONDITION_ID, CONDITION_ID);
            registration = context.registerService(Condition.class, Condition.INSTANCE, props);
        } else if (!r.ready()) {
            withdraw();
        }
        return r;
    }

    private void withdraw() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
            registration = null;
        }
    }
}
