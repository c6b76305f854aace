package org.msidomain.hw.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.msidomain.hw.Machine;
import org.osgi.annotation.bundle.Capability;
import org.msidomain.hw.internal.config.ConfigRecord;
import org.msidomain.hw.internal.config.MachineOverlay;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Builds the machine and registers it as the {@link Machine} service: the description the launcher's
 * framework properties name, with the machine's Config Admin configurations laid over it
 * ({@link MachineOverlay}). When one of them changes, the machine is built again and the service
 * replaced, so SCR activates the domain and the commands again on the new machine. A configuration that
 * is refused changes nothing: the running machine stays, with one warning line naming the PID and the
 * key, also shown as the service property {@value #REFUSED}.
 *
 * <p>The configurations are read from Config Admin as a whole, at activation (so the first machine
 * already has them) and after every change, on one thread and after a short settling time, so a burst
 * of changes (a folder of {@code .cfg} files, a script) builds one machine.
 *
 * <p>If the launcher's description is refused, the one-line problem is registered instead (a
 * {@code Supplier<String>} with {@code msi.launcher.role=problem}), so the launcher can report it at once
 * rather than wait for a machine that will never come. The registrations are by hand because what to
 * register depends on the outcome, so the {@code osgi.service} capability that DS would generate for the
 * machine is declared here; resolvers that enforce service requirements (Karaf's) need it to install the
 * core and the shell commands.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.msidomain.hw.Machine\"")
@Component(service = ConfigurationListener.class, immediate = true,
        property = "builtInKinds.cardinality.minimum:Integer=" + BuiltInKinds.COUNT)
public final class MachineComponent implements ConfigurationListener {

    /** Service property: counts the machines built (1 for the first). */
    public static final String GENERATION = "msi.machine.generation";
    /** Service property: the PIDs of the configurations the machine was built with. */
    public static final String CONFIGURATIONS = "msi.machine.configurations";
    /** Service property, present while the latest configuration is refused: the one-line reason. */
    public static final String REFUSED = "msi.machine.refused";
    /** How long a change waits for the ones that follow it before the machine is built. */
    static final long SETTLE_MS = 100;

    private static final System.Logger LOG = System.getLogger("org.msidomain.hw");

    private final ScheduledExecutorService applier = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "msi-machine-config");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile ConfigurationAdmin configAdmin;

    private final Object lock = new Object();
    // guarded by lock
    private BundleContext context;
    private boolean active;
    /** The launcher's description; null if it was refused. */
    private MachineLoader.Base base;
    private MachineOverlay.Description running;
    private ServiceRegistration<?> registration;
    private final Map<String, Object> properties = new HashMap<>();
    private long generation;
    /** The machine being served; guarded by lock. */
    private SimMachine current;

    /**
     * Every device kind's service, the built-in ones included: the machine creates its devices only
     * through these. Dynamic: outside kinds come and go while the machine runs.
     */
    private final DeviceKinds kinds = new DeviceKinds();

    /**
     * The built-in kinds, as a gate: the component activates only once all {@value BuiltInKinds#COUNT} are
     * registered (DS minimum cardinality, {@code builtInKinds.cardinality.minimum}), and they are bound here
     * before {@link #activate}, so the first machine has its built-in devices when its service is
     * registered: no built-in device is ever WAITING, and a launcher job that allocates at once finds them.
     * The dynamic reference below may not have seen the last of them yet when the gate opens (SCR's
     * references track the same registration one after another), hence this bind too; {@link DeviceKinds}
     * takes a service once. Chosen over building the built-ins' objects here so they are registered, and
     * reach the machine, as any outside kind does.
     */
    @Reference(name = "builtInKinds", service = org.msidomain.hw.DeviceKind.class,
            cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.STATIC,
            target = "(" + BuiltInKinds.BUILT_IN + "=true)")
    void bindBuiltInKind(org.msidomain.hw.DeviceKind kind, Map<String, Object> props) {
        bindKind(kind, props);
    }

    @Activate
    void activate(BundleContext bundleContext) {
        synchronized (lock) {
            context = bundleContext;
            active = true;
            MachineSpec launcherSpec;
            try {
                base = MachineLoader.base(context::getProperty);
                launcherSpec = MachineLoader.build(base);
            } catch (IllegalArgumentException refused) {
                registerProblem(refused.getMessage());
                return;
            }
            running = MachineOverlay.of(base, List.of()).description();
            properties.put(CONFIGURATIONS, new String[0]);
            SimMachine machine = null;
            List<ConfigRecord> configs = read();
            MachineOverlay configured = configs.isEmpty() ? null : overlay(configs);
            if (configured != null) {
                try {
                    machine = kinds.build(configured.build());
                    running = configured.description();
                    properties.put(CONFIGURATIONS, configured.pids().toArray(String[]::new));
                } catch (IllegalArgumentException refused) {
                    refuse(refused.getMessage()); // the launcher's description alone
                }
            }
            if (machine == null) {
                try {
                    machine = kinds.build(launcherSpec);
                } catch (IllegalArgumentException refused) {
                    registerProblem(refused.getMessage());
                    return;
                } catch (RuntimeException bug) {
                    // a model that cannot take what the loader passed: the launcher hears it now, not after its wait
                    registerProblem(base.name() + ": the machine cannot be built: " + bug);
                    return;
                }
            }
            properties.put(GENERATION, ++generation);
            current = machine;
            describe(machine);
            registration = context.registerService(Machine.class, machine, currentProperties());
        }
    }

    @Reference(name = "kinds", service = org.msidomain.hw.DeviceKind.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindKind(org.msidomain.hw.DeviceKind kind, Map<String, Object> props) {
        Object name = props.get(org.msidomain.hw.DeviceKind.KIND);
        if (!(name instanceof String n) || n.isBlank()) {
            LOG.log(System.Logger.Level.WARNING, "a device kind service without the string property {0} is passed over: {1}",
                    org.msidomain.hw.DeviceKind.KIND, kind);
            return;
        }
        Object ranking = props.get(org.osgi.framework.Constants.SERVICE_RANKING);
        kinds.add(new KindService(n.trim(), kind, ranking instanceof Integer r ? r : 0,
                (Long) props.get(org.osgi.framework.Constants.SERVICE_ID)));
    }

    void unbindKind(org.msidomain.hw.DeviceKind kind, Map<String, Object> props) {
        kinds.remove((Long) props.get(org.osgi.framework.Constants.SERVICE_ID));
    }

    /** The launcher's description is refused: its one-line problem is registered for the launcher. */
    private void registerProblem(String problem) {
        base = null;
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("msi.launcher.role", "problem");
        Supplier<String> report = () -> problem;
        registration = context.registerService(Supplier.class, report, props);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        applier.shutdownNow();
        applier.awaitTermination(10, TimeUnit.SECONDS);
        synchronized (lock) {
            active = false;
            if (registration != null) {
                try {
                    registration.unregister();
                } catch (IllegalStateException e) {
                    // already gone with the bundle
                }
                registration = null;
            }
            kinds.detach();
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindConfigAdmin(ConfigurationAdmin admin) {
        configAdmin = admin;
        schedule(); // configurations stored before it arrived
    }

    void unbindConfigAdmin(ConfigurationAdmin admin) {
        if (configAdmin == admin) {
            configAdmin = null; // the machine stays as it is
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        String factoryPid = event.getFactoryPid();
        if (MachineOverlay.MACHINE_PID.equals(event.getPid())
                || (factoryPid != null && MachineOverlay.FACTORY_PIDS.contains(factoryPid))) {
            schedule();
        }
    }

    /** Coalesces changes: one build for all the changes within {@link #SETTLE_MS} of the first. */
    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                applier.schedule(this::reconfigure, SETTLE_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // deactivated
            }
        }
    }

    /** Reads the configurations again and, if the description changed, replaces the machine. */
    private void reconfigure() {
        scheduled.set(false);
        List<ConfigRecord> configs = configAdmin == null ? null : read();
        synchronized (lock) {
            if (!active || base == null || configs == null) {
                return;
            }
            MachineOverlay overlay = overlay(configs);
            if (overlay == null) {
                return;
            }
            String[] pids = overlay.pids().toArray(String[]::new);
            if (overlay.description().equals(running)) {
                // the same machine: only what the service shows about its configurations may change
                boolean shown = properties.remove(REFUSED) != null
                        | !Arrays.equals((String[]) properties.put(CONFIGURATIONS, pids), pids);
                if (shown) {
                    registration.setProperties(currentProperties());
                }
                return;
            }
            SimMachine machine;
            try {
                machine = kinds.build(overlay.build());
            } catch (IllegalArgumentException refused) {
                refuse(refused.getMessage());
                return;
            }
            running = overlay.description();
            properties.remove(REFUSED);
            properties.put(CONFIGURATIONS, pids);
            properties.put(GENERATION, ++generation);
            // the old machine goes first: everything bound to it deactivates before anything sees the new one
            registration.unregister();
            if (current != null) {
                current.close(); // its devices' kinds' own work stops; nobody is bound to it any more
            }
            current = machine;
            describe(machine);
            registration = context.registerService(Machine.class, machine, currentProperties());
            LOG.log(System.Logger.Level.INFO, "machine {0} built from the {1} with the configurations {2}: {3} CPUs, "
                    + "{4} devices", generation, base.name(), overlay.pids(), machine.cpuCount(), machine.devices().size());
        }
    }

    /** The overlay of these configurations, or null (the reason logged and shown) if one is refused. */
    private MachineOverlay overlay(List<ConfigRecord> configs) {
        try {
            return MachineOverlay.of(base, configs == null ? List.of() : configs);
        } catch (IllegalArgumentException refused) {
            refuse(refused.getMessage());
            return null;
        }
    }

    /** Shows the reason on the service (once registered) and logs it, once while it stays the same. */
    private void refuse(String reason) {
        if (reason.equals(properties.put(REFUSED, reason))) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "configuration refused, the machine stays as it is: {0}", reason);
        if (registration != null) {
            registration.setProperties(currentProperties());
        }
    }

    /**
     * The service properties parents select the machine by: its architecture and, on x86, whether it remaps
     * interrupts (the remapping parent stacks on the vector domain then).
     */
    private void describe(SimMachine machine) {
        properties.put(org.msidomain.parent.MsiParent.ARCH, machine.arch());
        properties.put(org.msidomain.parent.MsiParent.REMAPPING, machine.remapping().isPresent());
    }

    private Dictionary<String, Object> currentProperties() {
        return new Hashtable<>(properties);
    }

    /** The machine's configurations from Config Admin; none without it; null if it cannot be read now. */
    private List<ConfigRecord> read() {
        ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            return List.of();
        }
        try {
            Configuration[] found = admin.listConfigurations(MachineOverlay.FILTER);
            List<ConfigRecord> configs = new ArrayList<>();
            for (Configuration c : found == null ? new Configuration[0] : found) {
                Dictionary<String, Object> props = c.getProperties();
                if (props != null) {
                    Map<String, Object> map = new HashMap<>();
                    for (String key : Collections.list(props.keys())) {
                        map.put(key, props.get(key));
                    }
                    configs.add(new ConfigRecord(c.getPid(), c.getFactoryPid(), map));
                }
            }
            return configs;
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "the machine''s configurations cannot be read: {0}", e.getMessage());
            return null;
        }
    }
}
