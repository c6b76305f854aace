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
import java.util.concurrent.atomic.AtomicBoolean;

import org.msidomain.api.BindingListener;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers the OSGi condition {@code osgi.condition.id=msi.ready} while every device of the machine is
 * bound, and withdraws it as soon as one is unbound or failed. It registers a {@link BindingListener}: the
 * domain tells it of every change of a device's binding after the change, so a look queued then sees it (no
 * guessing when the domain has bound a provider); {@code poll.ms} is only a safety net. The listener is
 * registered by hand, not as this component's service: the domain references listeners and this component
 * references the domain, and SCR would log the cycle as an error each time both activate. It subscribes to
 * no Event Admin topic: the domain's events come with every provider swap and while the framework shuts
 * down, and would grow Event Admin's thread pool and give it deliveries that its own stop interrupts.
 * Every look and every (un)registration runs on one thread, so none races another and no lock is held
 * while the framework calls service listeners.
 */
@Component(name = ReadinessCondition.PID, configurationPid = ReadinessCondition.PID, immediate = true,
        service = ReadinessCondition.class,
        property = "poll.ms:Long=" + ReadinessCondition.DEFAULT_POLL_MS)
@Designate(ocd = ReadinessCondition.Config.class)
public final class ReadinessCondition {

    private static final System.Logger LOG = System.getLogger("org.msidomain.health");
    static final String PID = "org.msidomain.health.readiness";
    /** The condition's id: components can wait for it with a target {@code (osgi.condition.id=msi.ready)}. */
    public static final String CONDITION_ID = "msi.ready";
    static final long DEFAULT_POLL_MS = 1_000;

    @ObjectClassDefinition(id = PID, name = "MSI readiness condition",
            description = "Registers the condition msi.ready while every device is bound.")
    public @interface Config {
        @AttributeDefinition(name = "Poll interval (ms)", min = "10",
                description = "How often the bindings are looked at besides the domain's notifications (a safety net).")
        long poll_ms() default DEFAULT_POLL_MS;
    }

    private final MsiDomain domain;
    private final BundleContext context;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "msi-readiness");
        t.setDaemon(true);
        return t;
    });
    /** Whether a look for a notification is queued and not yet started: a burst of changes needs one look. */
    private final AtomicBoolean lookQueued = new AtomicBoolean();
    /** Only touched on the worker thread, and in deactivate after it has ended. */
    private ServiceRegistration<Condition> registration;
    private final ServiceRegistration<BindingListener> listener;

    @Activate
    public ReadinessCondition(@Reference(name = "domain") MsiDomain domain, BundleContext context,
            Map<String, Object> properties) {
        this.domain = domain;
        this.context = context;
        Millis interval = Millis.read(properties, PID, "poll.ms", DEFAULT_POLL_MS, 10);
        if (interval.refusal() != null) {
            LOG.log(System.Logger.Level.WARNING, interval.warning());
        }
        long poll = interval.value();
        worker.scheduleWithFixedDelay(this::lookQuietly, 0, poll, TimeUnit.MILLISECONDS);
        listener = context.registerService(BindingListener.class, this::bindingChanged, null);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        try {
            listener.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
        worker.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
        withdraw();
    }

    /**
     * Queues a look unless one is queued and not started: the flag is cleared before the look reads the
     * bindings, so a change told after that read queues the next look, and none is missed.
     */
    void bindingChanged(DeviceInfo device) {
        if (lookQueued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    lookQueued.set(false);
                    lookQuietly();
                });
            } catch (RejectedExecutionException e) {
                // deactivated
            }
        }
    }

    /** Looks once the domain has settled, updates the condition, and tells what it saw (msi:health). */
    Readiness refresh() {
        try {
            domain.awaitSettled(10_000); // provider arrivals and departures it was told of are bound
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
