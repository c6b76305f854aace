package org.msidomain.core.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.msidomain.api.BindingListener;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqHandler;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.parent.MsiParent;
import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.BundleContext;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The generic MSI domain. It knows no storage type: devices are matched by their storage type to the
 * {@link MsiStorageOps} services bound here (whiteboard), and every storage access goes through them.
 *
 * <p>Threads: SCR's bind and unbind callbacks only queue an event for the binder thread; the binder and
 * every control operation run under one control lock (Linux's sparse irq lock), so bindings, restores
 * and driver operations are serialized. The interrupt path never takes it. {@link BindingListener}s are
 * called on the binder thread, after the operation that changed a device's binding ({@link BindingNotifier}).
 *
 * <p>This class is the DS component and the {@link MsiDomain} face: it wires the parts, takes the control
 * lock ({@link #locked}) and delegates to them: {@link BinderQueue} (the binder thread),
 * {@link VectorAllocator} (allocation), {@link IrqControl} (affinity, masking, handlers, restore),
 * {@link DomainViews} (queries, without the lock), {@link Containment} (provider faults),
 * {@link StorageBinder} and {@link DeviceHotplug} (binding, devices that join and leave).
 */
@Component(service = MsiDomain.class, immediate = true)
public final class MsiDomainImpl implements MsiDomain {

    private static final int FIRST_IRQ = 24;
    /** Framework property: how long a provider call may take before it is abandoned, in milliseconds. */
    public static final String PROVIDER_TIMEOUT = "msi.provider.timeout.ms";
    static final long DEFAULT_PROVIDER_TIMEOUT_MS = 2_000;

    private final Machine machine;
    /** The parent domain: the interrupt controller side of every message (x86 vectors, ITS, ...). */
    private final MsiParent parent;
    /** The CPUs and which are online. */
    private final OnlineCpus online;
    private final VectorTable table;
    private final StorageWriter writer;
    private final ProviderRegistry registry = new ProviderRegistry();
    /** The devices by id, each as its storages; devices join and leave while the domain runs. */
    private final DeviceTable devices = new DeviceTable();
    /** Chooses and hands over the provider of each storage (declines, ranking). */
    private final StorageBinder storageBinder;
    /** Allocates and frees vectors: irq numbers, CPU vectors, storage entries. */
    private final VectorAllocator allocator;
    /** Per-irq control: affinity, masking, handlers, restore. */
    private final IrqControl irqControl;
    /** CPUs going offline and coming online. */
    private final CpuHotplug cpuHotplug;
    /** The read-only views: irqs, devices, providers, counters. */
    private final DomainViews views;
    /** Tells the domain of devices that join and leave the machine. */
    private final DeviceHotplug hotplug;
    private final IrqTable irqs = new IrqTable(FIRST_IRQ);
    /** Finds the devices, storages and irqs callers name. */
    private final DomainLookup lookup;
    private final ControlLock control = new ControlLock();
    /** The bounded wait for provider calls; a call that exceeds it is abandoned ({@link #onAbandoned}). */
    private final ProviderGuard guard;
    /** Fails a device whose provider faults, and keeps an abandoned thread off the domain. */
    private final Containment containment;
    /** How long a control operation waits for the control lock: longer than any guarded provider call. */
    private final long lockTimeoutMillis;
    /** The binder thread and its queue of binding events. */
    private final BinderQueue binder;
    private final BundleContext context;
    private final EventPoster events = new EventPoster();
    /** Tells the binding listeners of every change of a device's binding, after the control operation. */
    private final BindingNotifier notifier;

    /** A domain outside a framework, for tests and benchmarks: bind providers with {@link #bindStorageOps}. */
    public MsiDomainImpl(Machine machine, MsiParent parent) {
        this(machine, parent, null, DEFAULT_PROVIDER_TIMEOUT_MS);
    }

    /**
     * A domain outside a framework whose provider calls may take at most {@code providerTimeoutMillis}
     * (0: without bound, and no watchdog thread).
     */
    public MsiDomainImpl(Machine machine, MsiParent parent, long providerTimeoutMillis) {
        this(machine, parent, null, providerTimeoutMillis);
    }

    /**
     * The domain of the machine, on the parent of the machine's architecture: a parent bundle registers its
     * parent only for a machine it serves, so the domain waits until the machine's parent is there.
     */
    @Activate
    public MsiDomainImpl(@Reference(name = "machine") Machine machine, @Reference(name = "parent") MsiParent parent,
            BundleContext context) {
        this(machine, parent, context, providerTimeout(context));
    }

    private MsiDomainImpl(Machine machine, MsiParent parent, BundleContext context, long providerTimeoutMillis) {
        this.context = context;
        this.machine = machine;
        this.parent = parent;
        if (parent.cpus() != machine.cpuCount()) {
            throw new IllegalArgumentException("the parent domain " + parent.name() + " has " + parent.cpus()
                    + " CPUs, the machine " + machine.cpuCount());
        }
        guard = new ProviderGuard(control, providerTimeoutMillis, this::onAbandoned);
        containment = new Containment(control, guard, events, devices);
        lockTimeoutMillis = providerTimeoutMillis == 0 ? Long.MAX_VALUE / 2_000_000 : 2 * providerTimeoutMillis + 10_000;
        binder = new BinderQueue(this::locked);
        online = new OnlineCpus(machine.cpuCount());
        table = new VectorTable(online.cpus(), parent.ids());
        writer = new StorageWriter(parent, online, table, guard);
        lookup = new DomainLookup(machine, devices, irqs);
        allocator = new VectorAllocator(devices, irqs, parent, online, table, writer, containment, lookup,
                this::locked);
        irqControl = new IrqControl(parent, online, table, writer, devices, events, containment, lookup, allocator);
        cpuHotplug = new CpuHotplug(parent, online, irqs, writer, containment);
        storageBinder = new StorageBinder(registry, devices, events, irqControl::restoreThrough,
                containment::stillOwner);
        hotplug = new DeviceHotplug(devices, storageBinder, events, this::forgetRemoved,
                containment::stillOwner, binder::post);
        joinMachine();
        views = new DomainViews(machine, devices, irqs, online, table, registry, hotplug, lookup);
        notifier = new BindingNotifier(devices.all(), binder::submit, views::deviceInfo);
        machine.connect(table);
    }

    /**
     * Listens to the machine, then reads its devices, holding the control lock: a device that joins or
     * leaves in between is queued to the binder thread, which takes the lock after this and finds the table
     * as the read left it (a join of a device already read is a no-op). Nothing is queued otherwise, so a
     * domain wired by hand (model checking) starts no thread.
     */
    private void joinMachine() {
        try {
            if (!control.lock(lockTimeoutMillis)) {
                throw new IllegalStateException("the MSI domain stayed busy for " + lockTimeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the MSI domain read the machine");
        }
        try {
            machine.addListener(hotplug);
            for (HwDevice hw : machine.devices()) {
                devices.add(hw);
            }
        } finally {
            control.unlock();
        }
    }

    @Deactivate
    public void deactivate() {
        binder.deactivate();
        machine.removeListener(hotplug);
        machine.disconnect(table);
        binder.shutdown();
        events.close(); // the binder may finish its task after this: it posts nothing more
        guard.close();
    }

    /** The framework property {@value #PROVIDER_TIMEOUT}, in milliseconds, or the default. */
    private static long providerTimeout(BundleContext context) {
        String value = context == null ? null : context.getProperty(PROVIDER_TIMEOUT);
        if (value == null || value.isBlank()) {
            return DEFAULT_PROVIDER_TIMEOUT_MS;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROVIDER_TIMEOUT + ": '" + value + "' is not a number of milliseconds");
        }
    }

    @Reference(service = MsiStorageOps.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        ProviderBinding binding = binding(ops, props);
        binder.post(() -> storageBinder.onBind(binding));
    }

    /**
     * Binds a provider on the caller's thread, for plain-Java wiring that must not start the binder
     * thread (model checking); the framework's binding goes through {@link #bindStorageOps}.
     */
    public void bindStorageOpsNow(MsiStorageOps ops, Map<String, Object> props) {
        ProviderBinding binding = binding(ops, props);
        locked(() -> storageBinder.onBind(binding));
    }

    @Reference(service = EventAdmin.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindEventAdmin(EventAdmin admin) {
        events.set(admin);
    }

    void unbindEventAdmin(EventAdmin admin) {
        events.unset(admin);
    }

    /** A binding listener (whiteboard): told every device's binding now, then every change (binder thread). */
    @Reference(service = BindingListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindBindingListener(BindingListener listener) {
        binder.post(() -> notifier.add(listener, devices.all()));
    }

    public void unbindBindingListener(BindingListener listener) {
        notifier.remove(listener);
    }

    /** Unbinds by service id, never by equality: a replacement may already be bound (DS §112.5.10). */
    public void unbindStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        long serviceId = ProviderBinding.serviceId(props);
        binder.post(() -> storageBinder.onUnbind(serviceId));
    }

    /** A bound provider's service properties changed (its {@code service.ranking} by configuration, say). */
    public void updatedStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        ProviderBinding binding = binding(ops, props);
        binder.post(() -> storageBinder.onUpdate(binding));
    }

    /** A provider's service as the domain binds it: its calls within the bounded wait. */
    private ProviderBinding binding(MsiStorageOps ops, Map<String, Object> props) {
        return ProviderBinding.of(ops, props, context).guardedBy(guard);
    }

    /**
     * A provider call exceeded the bound and was abandoned; the watchdog runs this holding the control
     * lock it took over. The device is marked failed (its storage dropped, its registers keep delivering);
     * a binder thread stranded in the provider is replaced, with the events queued behind it.
     */
    private void onAbandoned(ProviderGuard.Stuck stuck) {
        containment.failAbandoned(stuck);
        binder.replaceIfStranded(stuck.thread());
        notifier.publish(devices.all()); // the stuck thread no longer owns the lock: it publishes nothing
    }

    // ---- devices that join and leave (binder thread, under the control lock) ----

    /** A storage of a device that left: its vectors are freed in the domain, then its listeners forgotten. */
    private int forgetRemoved(DeviceState d) {
        int freed = allocator.forgetRemoved(d);
        notifier.forget(d);
        return freed;
    }

    // ---- control operations ----

    @Override
    public int[] allocate(String device, int count, String word) {
        return locked(() -> allocator.allocate(device, count, word));
    }

    @Override
    public int[] allocateAffinity(String device, int count, String word, int pre, int post) {
        return locked(() -> allocator.allocateAffinity(device, count, word, pre, post));
    }

    @Override
    public int allocateAt(String device, int index) {
        return locked(() -> allocator.allocateAt(device, index));
    }

    @Override
    public int maxVectors(String device) {
        return locked(() -> allocator.maxVectors(device));
    }

    @Override
    public int maxVectors(String device, String storage) {
        return locked(() -> allocator.maxVectors(device, storage));
    }

    @Override
    public int allocateAt(String device, String storage, int index) {
        return locked(() -> allocator.allocateAt(device, storage, index));
    }

    @Override
    public void free(String device) {
        locked(() -> allocator.free(device));
    }

    @Override
    public void freeIrq(int irq) {
        locked(() -> allocator.freeIrq(irq));
    }

    @Override
    public void restore(String device) {
        locked(() -> irqControl.restore(device));
    }

    @Override
    public void setAffinity(int irq, int cpu) {
        locked(() -> irqControl.setAffinity(irq, cpu));
    }

    @Override
    public void setAffinity(int irq, java.util.Set<Integer> cpus) {
        locked(() -> irqControl.setAffinity(irq, cpus));
    }

    @Override
    public java.util.Set<Integer> affinityMask(int irq) {
        return irqControl.affinityMask(irq); // a query: reads volatiles, without the lock
    }

    @Override
    public void mask(int irq) {
        locked(() -> irqControl.mask(irq));
    }

    @Override
    public void unmask(int irq) {
        locked(() -> irqControl.unmask(irq));
    }

    @Override
    public void setHandler(int irq, String name, IrqHandler handler) {
        locked(() -> irqControl.setHandler(irq, name, handler));
    }

    @Override
    public void removeHandler(int irq) {
        locked(() -> irqControl.removeHandler(irq));
    }

    // ---- queries ----

    @Override
    public int irqOf(String device, int index) {
        return views.irqOf(device, index);
    }

    @Override
    public int irqOf(String device, String storage, int index) {
        return views.irqOf(device, storage, index);
    }

    @Override
    public String storageOf(int irq) {
        IrqDesc desc = irqs.get(irq);
        if (desc == null) {
            throw new IllegalArgumentException("irq " + irq + " is not allocated");
        }
        return desc.device.type();
    }

    @Override
    public Optional<IrqInfo> irq(int irq) {
        return views.irq(irq);
    }

    @Override
    public List<IrqInfo> irqs() {
        return views.irqs();
    }

    @Override
    public List<DeviceInfo> devices() {
        return views.devices();
    }

    @Override
    public Optional<Instant> unboundSince(String device) {
        return views.unboundSince(device);
    }

    @Override
    public List<ProviderInfo> providers() {
        return views.providers();
    }

    @Override
    public int cpuCount() {
        return views.cpuCount();
    }

    @Override
    public void cpuOffline(int cpu) {
        locked(() -> cpuHotplug.offline(cpu));
    }

    @Override
    public void cpuOnline(int cpu) {
        locked(() -> cpuHotplug.online(cpu));
    }

    @Override
    public List<org.msidomain.api.CpuInfo> cpus() {
        return cpuHotplug.cpus();
    }

    @Override
    public long mergedWhileMasked() {
        return views.mergedWhileMasked();
    }

    @Override
    public long merged(int irq) {
        IrqDesc desc = irqs.get(irq);
        if (desc == null) {
            throw new IllegalArgumentException("irq " + irq + " is not allocated");
        }
        return desc.merged(); // a query: reads a volatile, without the lock
    }

    @Override
    public long unhandled(int irq) {
        IrqDesc desc = irqs.get(irq);
        if (desc == null) {
            throw new IllegalArgumentException("irq " + irq + " is not allocated");
        }
        return desc.unhandled();
    }

    @Override
    public long spurious(int cpu) {
        return views.spurious(cpu);
    }

    @Override
    public boolean awaitSettled(long timeoutMillis) throws InterruptedException {
        return binder.awaitSettled(timeoutMillis);
    }

    // ---- helpers ----

    /** For tests: how many events wait for the binder thread. */
    int queuedEvents() {
        return binder.queued();
    }

    /** For tests: the free targets on the online CPUs. */
    int freeTargets() {
        return allocator.freeTotal();
    }

    /**
     * Runs a control operation under the control lock. If a provider call of the operation was abandoned,
     * the thread no longer owns the lock when it comes back; the outermost frame turns that into a refusal.
     */
    private <T> T locked(Supplier<T> op) {
        boolean outermost = !control.isHeldByCurrentThread();
        try {
            if (!control.lock(lockTimeoutMillis)) {
                throw new IllegalStateException("the MSI domain stayed busy for " + lockTimeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the MSI domain");
        }
        try {
            return op.get();
        } catch (ProviderGuard.Abandoned abandoned) {
            if (outermost) {
                guard.unwound();
                throw new IllegalStateException(abandoned.getMessage());
            }
            throw abandoned;
        } finally {
            if (outermost && control.isHeldByCurrentThread()) {
                notifier.publish(devices.all());
            }
            control.unlock();
        }
    }

    private void locked(Runnable op) {
        locked(() -> {
            op.run();
            return null;
        });
    }
}
