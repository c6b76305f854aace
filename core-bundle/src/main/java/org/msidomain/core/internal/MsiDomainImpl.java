package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqHandler;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiEvents;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageRequest;
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
 */
@Component(service = MsiDomain.class, immediate = true)
public final class MsiDomainImpl implements MsiDomain {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");
    private static final int FIRST_IRQ = 24;
    /** Framework property: how long a provider call may take before it is abandoned, in milliseconds. */
    public static final String PROVIDER_TIMEOUT = "msi.provider.timeout.ms";
    static final long DEFAULT_PROVIDER_TIMEOUT_MS = 2_000;

    private final Machine machine;
    private final VectorDomain vectors;
    private final VectorTable table;
    private final StorageWriter writer;
    /** The interrupt-remapping parent domain, if the machine remaps interrupts. */
    private final RemapDomain remap;
    private final ProviderRegistry registry = new ProviderRegistry();
    /** The devices by id, each as its storages; devices join and leave while the domain runs. */
    private final DeviceTable devices = new DeviceTable();
    /** Chooses and hands over the provider of each storage (declines, ranking). */
    private final StorageBinder storageBinder;
    /** Tells the domain of devices that join and leave the machine. */
    private final DeviceHotplug hotplug;
    private final IrqTable irqs = new IrqTable(FIRST_IRQ);
    private final ControlLock control = new ControlLock();
    /** The bounded wait for provider calls; a call that exceeds it is abandoned ({@link #onAbandoned}). */
    private final ProviderGuard guard;
    /** How long a control operation waits for the control lock: longer than any guarded provider call. */
    private final long lockTimeoutMillis;
    /** The single thread that runs binding events; replaced if a provider call strands it. */
    private volatile ExecutorService binder;
    private volatile Thread binderThread;
    private volatile boolean deactivated;
    private final BundleContext context;
    private final EventPoster events = new EventPoster();
    /** Tells the binding listeners of every change of a device's binding, after the control operation. */
    private final BindingNotifier notifier;

    /** A domain outside a framework, for tests and benchmarks: bind providers with {@link #bindStorageOps}. */
    public MsiDomainImpl(Machine machine) {
        this(machine, null, DEFAULT_PROVIDER_TIMEOUT_MS);
    }

    /**
     * A domain outside a framework whose provider calls may take at most {@code providerTimeoutMillis}
     * (0: without bound, and no watchdog thread).
     */
    public MsiDomainImpl(Machine machine, long providerTimeoutMillis) {
        this(machine, null, providerTimeoutMillis);
    }

    @Activate
    public MsiDomainImpl(@Reference(name = "machine") Machine machine, BundleContext context) {
        this(machine, context, providerTimeout(context));
    }

    private MsiDomainImpl(Machine machine, BundleContext context, long providerTimeoutMillis) {
        this.context = context;
        this.machine = machine;
        guard = new ProviderGuard(control, providerTimeoutMillis, this::onAbandoned);
        lockTimeoutMillis = providerTimeoutMillis == 0 ? Long.MAX_VALUE / 2_000_000 : 2 * providerTimeoutMillis + 10_000;
        binder = newBinder();
        int[] apicIds = new int[machine.cpuCount()];
        for (int cpu = 0; cpu < apicIds.length; cpu++) {
            apicIds[cpu] = machine.apicId(cpu);
        }
        vectors = new VectorDomain(apicIds);
        table = new VectorTable(apicIds.length);
        remap = machine.remapping().map(RemapDomain::new).orElse(null);
        writer = new StorageWriter(vectors, table, machine, remap, guard);
        storageBinder = new StorageBinder(registry, devices, events, this::restoreThrough, this::stillOwner);
        hotplug = new DeviceHotplug(machine, devices, storageBinder, events, this::forgetRemoved, this::stillOwner,
                this::post);
        for (HwDevice hw : machine.devices()) {
            devices.add(hw);
        }
        notifier = new BindingNotifier(devices.all(), this::submit, this::deviceInfo);
        machine.addListener(hotplug);
        post(hotplug::reconcile); // a device that joined or left between the read and the listener
        machine.connect(table);
    }

    @Deactivate
    public void deactivate() {
        deactivated = true;
        machine.removeListener(hotplug);
        machine.disconnect(table);
        // queued events are dropped: cancel their futures, or an awaitSettled behind them (a job, a command,
        // a health check while the framework stops) would wait its whole timeout for a task that never runs
        for (Runnable dropped : binder.shutdownNow()) {
            if (dropped instanceof java.util.concurrent.Future<?> f) {
                f.cancel(false);
            }
        }
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

    private ExecutorService newBinder() {
        // one thread, unbounded queue (newSingleThreadExecutor's), as a pool whose queue a test can see
        return new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "msi-binder");
                    t.setDaemon(true);
                    binderThread = t;
                    return t;
                });
    }

    @Reference(service = MsiStorageOps.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        ProviderBinding binding = binding(ops, props);
        post(() -> storageBinder.onBind(binding));
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
        post(() -> notifier.add(listener, devices.all()));
    }

    public void unbindBindingListener(BindingListener listener) {
        notifier.remove(listener);
    }

    /** Unbinds by service id, never by equality: a replacement may already be bound (DS §112.5.10). */
    public void unbindStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        long serviceId = ProviderBinding.serviceId(props);
        post(() -> storageBinder.onUnbind(serviceId));
    }

    /** A bound provider's service properties changed (its {@code service.ranking} by configuration, say). */
    public void updatedStorageOps(MsiStorageOps ops, Map<String, Object> props) {
        ProviderBinding binding = binding(ops, props);
        post(() -> storageBinder.onUpdate(binding));
    }

    /** A provider's service as the domain binds it: its calls within the bounded wait. */
    private ProviderBinding binding(MsiStorageOps ops, Map<String, Object> props) {
        return ProviderBinding.of(ops, props, context).guardedBy(guard);
    }

    /** Queues a binding event; after deactivation (SCR unbinds what is left) there is nothing to do. */
    private void post(Runnable event) {
        submit(() -> {
            try {
                locked(event);
            } catch (IllegalStateException e) {
                LOG.log(Level.ERROR, e.getMessage());
            }
        });
    }

    /** Runs a task on the binder thread, on the replacement if the binder is being replaced. */
    private java.util.concurrent.Future<?> submit(Runnable task) {
        while (!deactivated) {
            try {
                return binder.submit(task);
            } catch (java.util.concurrent.RejectedExecutionException replaced) {
                Thread.onSpinWait(); // onAbandoned swaps the binder: take the new one
            }
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * A provider call exceeded the bound and was abandoned; the watchdog runs this holding the control
     * lock it took over. The device is marked failed (its storage dropped, its registers keep delivering);
     * a binder thread stranded in the provider is replaced, with the events queued behind it.
     */
    private void onAbandoned(ProviderGuard.Stuck stuck) {
        String reason = "provider " + stuck.provider() + " blocked in " + stuck.operation() + " on " + stuck.device()
                + " for more than " + guard.boundMillis() + " ms; the call was abandoned";
        // the guard knows the device, not the storage: every storage of it the stuck provider serves, or was
        // being offered (a hanging decline), fails
        for (DeviceState d : devices.storages(stuck.device())) {
            ProviderBinding p = d.provider();
            if (p == null || p.symbolicName().equals(stuck.provider())) {
                d.fail(reason);
                events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.STORAGE, d.type(),
                        MsiEvents.PROVIDER, stuck.provider(), MsiEvents.REASON, reason));
            }
        }
        LOG.log(Level.ERROR, reason);
        if (stuck.thread() == binderThread) {
            ExecutorService old = binder;
            binder = newBinder();
            for (Runnable queued : old.shutdownNow()) {
                binder.execute(queued);
            }
        }
        notifier.publish(devices.all()); // the stuck thread no longer owns the lock: it publishes nothing
    }

    // ---- devices that join and leave (binder thread, under the control lock) ----

    /**
     * Frees every vector of a storage of a device that left, in the domain only (vector table slots, irq
     * numbers, remapping entries): the device is gone, so nothing is written to it. Returns how many.
     */
    private int forgetRemoved(DeviceState d) {
        d.removed = true;
        List<IrqDesc> all = d.descriptors();
        for (IrqDesc desc : all) {
            desc.setHandler("", null);
            if (!desc.reserved) {
                table.uninstall(desc.cpu, desc.vector);
            }
        }
        writer.releaseEntries(d, all);
        writer.releaseStrays(d);
        releaseVectors(d, all);
        for (IrqDesc desc : all) {
            d.descs.remove(desc.index);
            irqs.remove(desc.irq);
        }
        notifier.forget(d);
        return all.size();
    }

    /** Restores the live vectors of a storage through the provider it was just bound to (binding events). */
    private void restoreThrough(DeviceState d, ProviderBinding binding) {
        try {
            int needed = d.descs.lastIndex() + 1;
            attach(d, binding.ops().createStorage(d.hw, new StorageRequest(needed, d.variant, true)));
            if (d.info().hwsize() < needed) {
                throw new IllegalStateException("its storage " + d.info().chipName() + " holds " + d.info().hwsize()
                        + " vectors, the device needs " + needed);
            }
            writer.restore(d);
            LOG.log(Level.INFO, "restored {0} vectors of {1} through {2}", d.descs.size(), d.id(),
                    binding.symbolicName());
            events.post(MsiEvents.DEVICE_RESTORED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.PROVIDER,
                    binding.symbolicName(), MsiEvents.VECTORS, d.descs.size()));
        } catch (RuntimeException e) {
            stillOwner(e);
            d.fail("provider " + binding.symbolicName() + " failed to restore: " + e.getMessage());
            LOG.log(Level.ERROR, "{0}: {1}", d.id(), d.reason());
            events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.PROVIDER,
                    binding.symbolicName(), MsiEvents.REASON, d.reason()));
        }
    }

    // ---- control operations ----

    @Override
    public int[] allocate(String device, int count, String word) {
        return locked(() -> {
            // a word that names one of the device's storages selects it; any other is a variant of the default one
            DeviceState named = devices.storages(device(device).id()).stream().filter(s -> s.type().equals(word))
                    .findFirst().orElse(null);
            DeviceState d = named != null ? named : device(device);
            String variant = named != null ? "" : word;
            if (count < 1) {
                throw new IllegalArgumentException("vector count must be at least 1, not " + count);
            }
            if (!d.descs.isEmpty()) {
                throw new IllegalStateException("device " + device + " already has " + d.descs.size()
                        + " vectors; free them first");
            }
            if (count > vectors.freeTotal()) {
                throw new IllegalStateException("cannot allocate " + count + " vectors for " + device + ": only "
                        + vectors.freeTotal() + " free");
            }
            boolean writable = d.provider() != null;
            if (writable) {
                attach(d, d.provider().ops().createStorage(d.hw, new StorageRequest(count, variant)));
                d.variant = variant;
                int room = d.info().hwsize();
                if (count > room) { // the provider accepted the request, its storage says otherwise: believe the storage
                    String chip = d.info().chipName();
                    abandonStorage(d);
                    throw new IllegalArgumentException("cannot allocate " + count + " vectors for " + device
                            + ": its storage " + chip + " holds " + room);
                }
                if (count > 1 && d.has(StorageFlag.MULTI_MESSAGE) && !d.remapped) {
                    // Linux's x86 MSI parent lacks MSI_FLAG_MULTI_PCI_MSI: only the remapping parent has it
                    abandonStorage(d);
                    throw new IllegalArgumentException("cannot allocate " + count + " MSI vectors for " + device
                            + ": multi-message MSI needs interrupt remapping (x86 without IR supports one MSI"
                            + " vector per function); ask for 1 or use MSI-X");
                }
            }
            List<IrqDesc> fresh = new ArrayList<>(count);
            // A multi-message block (remapped) is a block of remapping entries; its vectors are each irq's own.
            d.blockSize = writable && d.has(StorageFlag.MULTI_MESSAGE) && count > 1 ? Integer.highestOneBit(count - 1) << 1 : 1;
            try {
                for (int index = 0; index < count; index++) {
                    fresh.add(reserves(d) ? newReservedDesc(d, index) : newDesc(d, index));
                }
                if (writable) {
                    contain(d, () -> writer.program(d, fresh, true));
                }
            } catch (RuntimeException e) {
                forget(d, fresh);
                abandonStorage(d);
                throw e;
            }
            return fresh.stream().mapToInt(desc -> desc.irq).toArray();
        });
    }

    @Override
    public int allocateAt(String device, int index) {
        return locked(() -> {
            DeviceState d = device(device);
            if (d.provider() == null) {
                throw new IllegalStateException("device " + device + " has no bound provider: " + d.reason());
            }
            boolean first = d.descs.isEmpty();
            if (first) {
                attach(d, d.provider().ops().createStorage(d.hw, new StorageRequest(1, d.variant)));
                d.blockSize = 1;
            }
            if (!d.has(StorageFlag.ALLOC_DYNAMIC)) {
                if (first) {
                    abandonStorage(d);
                }
                throw new IllegalStateException(d.chipName() + " cannot add vectors while enabled");
            }
            int hwsize = d.info().hwsize();
            int at = index == ANY_INDEX ? firstFreeIndex(d, hwsize) : index;
            try {
                if (at < 0 || at >= hwsize) {
                    throw new IllegalArgumentException("index " + index + " is beyond the table of " + device
                            + " (size " + hwsize + ")");
                }
                if (d.descs.contains(at)) {
                    throw new IllegalArgumentException("index " + at + " of " + device + " is already in use");
                }
                IrqDesc desc = reserves(d) ? newReservedDesc(d, at) : newDesc(d, at);
                try {
                    contain(d, () -> writer.program(d, List.of(desc), first));
                } catch (RuntimeException e) {
                    forget(d, List.of(desc));
                    throw e;
                }
                return desc.irq;
            } catch (RuntimeException e) {
                if (first) {
                    abandonStorage(d);
                }
                throw e;
            }
        });
    }

    @Override
    public int maxVectors(String device) {
        return locked(() -> {
            DeviceState d = device(device);
            if (d.provider() == null) {
                throw new IllegalStateException("device " + device + ": " + d.reason());
            }
            return d.provider().ops().maxVectors(d.hw);
        });
    }

    @Override
    public void free(String device) {
        locked(() -> {
            List<DeviceState> withVectors = devices.storages(device(device).id()).stream()
                    .filter(s -> !s.descs.isEmpty()).toList();
            if (withVectors.isEmpty()) {
                throw new IllegalStateException("device " + device + " has no vectors to free");
            }
            withVectors.forEach(this::freeStorage); // every storage of the device, as the driver's teardown
            return null;
        });
    }

    /** Frees every vector of one storage and releases the storage. */
    private void freeStorage(DeviceState d) {
        locked(() -> {
            List<IrqDesc> all = d.descriptors();
            try {
                contain(d, () -> all.forEach(desc -> writer.deactivate(d, desc)));
            } catch (IllegalStateException providerFailed) {
                all.forEach(desc -> writer.deactivate(d, desc)); // storage dropped: frees the slots only
            }
            writer.releaseEntries(d, all);
            writer.releaseStrays(d);
            releaseVectors(d, all);
            for (IrqDesc desc : all) {
                d.descs.remove(desc.index);
                irqs.remove(desc.irq);
            }
            if (d.writable()) {
                d.storage().disable();
                d.provider().ops().releaseStorage(d.storage());
            }
            d.dropStorage();
            return null;
        });
    }

    @Override
    public void freeIrq(int irq) {
        locked(() -> {
            IrqDesc desc = desc(irq);
            DeviceState d = desc.device;
            if (d.descs.size() == 1) {
                freeStorage(d);
                return null;
            }
            if (!d.has(StorageFlag.ALLOC_DYNAMIC)) {
                throw new IllegalStateException(d.chipName() + " cannot free single vectors; free the device");
            }
            try {
                contain(d, () -> writer.deactivate(d, desc));
            } catch (IllegalStateException providerFailed) {
                writer.deactivate(d, desc); // storage dropped: frees the slot only
            }
            writer.releaseEntries(d, List.of(desc));
            if (!desc.reserved) {
                vectors.release(desc.cpu, desc.vector);
            }
            d.descs.remove(desc.index);
            irqs.remove(irq);
            return null;
        });
    }

    @Override
    public void restore(String device) {
        locked(() -> {
            for (DeviceState d : devices.storages(device(device).id())) {
                if (!d.primary && d.descs.isEmpty()) {
                    continue; // a secondary storage without vectors has nothing to restore
                }
                if (!d.writable()) {
                    throw new IllegalStateException("device " + device + (d.primary ? "" : " storage " + d.type())
                            + " cannot be restored: " + d.reason());
                }
                if (!d.descs.isEmpty()) {
                    contain(d, () -> writer.restore(d));
                }
            }
            return null;
        });
    }

    @Override
    public void setAffinity(int irq, int cpu) {
        locked(() -> {
            IrqDesc desc = desc(irq);
            vectors.checkCpu(cpu);
            if (desc.reserved) {
                desc.wantedCpu = cpu; // taken at startup, when the handler is attached
                return null;
            }
            if (desc.cpu == cpu && desc.wantedCpu < 0) {
                return null;
            }
            DeviceState d = desc.device;
            if (!d.writable()) {
                desc.wantedCpu = cpu; // applied when a provider binds and restores
                return null;
            }
            if (vectors.free(cpu) == 0) {
                throw new IllegalStateException("no free vector on CPU " + cpu);
            }
            Runnable[] releaseOld = new Runnable[1];
            underBusLock(d, () -> releaseOld[0] = writer.retarget(d, desc, cpu));
            releaseOld[0].run(); // after the unlock: the device uses the new message now
            return null;
        });
    }

    @Override
    public void mask(int irq) {
        locked(() -> {
            IrqDesc desc = desc(irq);
            DeviceState d = desc.device;
            desc.masked = true;
            if (d.writable() && d.has(StorageFlag.CAN_MASK)) {
                underBusLock(d, () -> d.provider().ops().mask(d.storage(), desc));
                desc.sourceMasked = true;
            }
            if (!desc.sourceMasked || d.has(StorageFlag.MASK_PARENT)) {
                desc.parentMasked = true;
            }
            return null;
        });
    }

    @Override
    public void unmask(int irq) {
        locked(() -> {
            IrqDesc desc = desc(irq);
            DeviceState d = desc.device;
            desc.masked = false;
            if (desc.parentMasked) {
                desc.parentMasked = false;
                if (desc.takePending()) {
                    table.accept(desc.cpu, desc.vector); // resend, as Linux does for IRQS_PENDING
                }
            }
            if (desc.sourceMasked && d.writable() && !desc.reserved) {
                underBusLock(d, () -> d.provider().ops().unmask(d.storage(), desc));
                desc.sourceMasked = false;
            }
            return null;
        });
    }

    @Override
    public void setHandler(int irq, String name, IrqHandler handler) {
        locked(() -> {
            IrqDesc desc = desc(irq);
            DeviceState d = desc.device;
            String previousName = desc.action();
            IrqHandler previous = desc.handler();
            desc.setHandler(name, handler); // request_irq: the action first, so a latched message finds it
            if (desc.reserved && d.writable()) {
                try {
                    underBusLock(d, () -> writer.startup(d, desc));
                } catch (RuntimeException e) {
                    desc.setHandler(previousName, previous); // refused (no free vector): nothing attached
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public void removeHandler(int irq) {
        desc(irq).setHandler("", null);
    }

    // ---- queries ----

    @Override
    public int irqOf(String device, int index) {
        IrqDesc desc = device(device).descs.get(index);
        if (desc == null) {
            throw new IllegalArgumentException("device " + device + " has no vector at index " + index);
        }
        return desc.irq;
    }

    @Override
    public int irqOf(String device, String storage, int index) {
        List<DeviceState> storages = devices.storages(device(device).id());
        DeviceState d = storages.stream().filter(s -> s.type().equals(storage)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("device " + device + " has no storage " + storage
                        + " (it has " + String.join(", ", storages.stream().map(DeviceState::type).toList()) + ")"));
        IrqDesc desc = d.descs.get(index);
        if (desc == null) {
            throw new IllegalArgumentException("device " + device + " storage " + storage + " has no vector at index "
                    + index);
        }
        return desc.irq;
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
        return Optional.ofNullable(irqs.get(irq)).map(this::info);
    }

    @Override
    public List<IrqInfo> irqs() {
        return irqs.values().stream().map(this::info).toList();
    }

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        devices.all().forEach(d -> out.add(deviceInfo(d)));
        for (org.msidomain.hw.WaitingDevice w : machine.waiting()) {
            if (!devices.contains(w.name())) { // not one whose removal is still queued
                hotplug.waitingSince(w.name());
                // its storage types are unknown until its kind's model creates it: the type column is empty
                out.add(new DeviceInfo(w.name(), "", BindingState.WAITING, "", 0, w.reason()));
            }
        }
        return out;
    }

    private DeviceInfo deviceInfo(DeviceState d) {
        ProviderBinding p = d.provider();
        return new DeviceInfo(d.id(), d.type(), d.state(), p == null ? "" : p.symbolicName(), d.descs.size(), d.reason());
    }

    @Override
    public Optional<Instant> unboundSince(String device) {
        List<DeviceState> storages = storagesOf(device);
        if (storages.isEmpty() || storages.get(0).removed) {
            // waiting for its kind, or leaving (its removal is queued): not served since it left or was first seen
            if (!storages.isEmpty() || machine.waiting().stream().anyMatch(w -> w.name().equals(device))) {
                return Optional.of(hotplug.waitingSince(device));
            }
            throw new IllegalArgumentException("unknown device " + device);
        }
        // the earliest of its storages: the device has not been served whole since then
        return storages.stream().map(DeviceState::unservedSince).flatMap(Optional::stream).min(Instant::compareTo);
    }

    @Override
    public List<ProviderInfo> providers() {
        List<ProviderInfo> out = new ArrayList<>();
        for (ProviderBinding b : registry.all()) {
            java.util.Set<String> served = new java.util.HashSet<>(); // a device once, whatever storages of it b serves
            java.util.Set<String> failed = new java.util.HashSet<>();
            int vectorCount = 0;
            for (DeviceState d : devices.all()) {
                if (d.provider() == b) {
                    served.add(d.id());
                    vectorCount += d.descs.size();
                    if (d.state() == BindingState.FAILED) {
                        failed.add(d.id());
                    }
                }
            }
            int f = failed.size();
            out.add(new ProviderInfo(b.bundleId(), b.symbolicName(), b.version(), b.types(),
                    f == 0 ? "active" : "failed on " + f + " device" + (f > 1 ? "s" : ""), served.size(),
                    vectorCount));
        }
        return out;
    }

    @Override
    public int cpuCount() {
        return vectors.cpus();
    }

    @Override
    public long mergedWhileMasked() {
        return devices.all().stream().mapToLong(d -> d.merged.sum()).sum();
    }

    @Override
    public long spurious(int cpu) {
        vectors.checkCpu(cpu);
        return table.spurious(cpu);
    }

    @Override
    public boolean awaitSettled(long timeoutMillis) throws InterruptedException {
        try {
            submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.CancellationException e) {
            return false; // cancelled: the domain was deactivated before it settled
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    // ---- helpers ----

    /** For tests: how many events wait for the binder thread. */
    int queuedEvents() {
        return binder instanceof java.util.concurrent.ThreadPoolExecutor pool ? pool.getQueue().size() : -1;
    }

    /** For tests: the vector domain. */
    VectorDomain vectorDomain() {
        return vectors;
    }

    private IrqInfo info(IrqDesc desc) {
        int cpus = vectors.cpus();
        long[] counts = desc.historyCopy(cpus);
        int cpu = desc.cpu;
        counts[cpu] += table.count(cpu, desc.vector);
        List<Long> perCpu = new ArrayList<>(cpus);
        for (long c : counts) {
            perCpu.add(c);
        }
        return new IrqInfo(desc.irq, desc.device.id(), desc.index, desc.device.chipName(), cpu, desc.vector,
                desc.msg(), desc.masked, desc.isPending(), perCpu, desc.action());
    }

    /**
     * Reservation mode (x86, {@code msi_check_reservation_mode}): a single vector of storage that can
     * mask, not remapped, waits for its handler before it gets a real vector.
     */
    private static boolean reserves(DeviceState d) {
        return d.writable() && d.has(StorageFlag.CAN_MASK) && !d.remapped && d.blockSize == 1;
    }

    private IrqDesc newDesc(DeviceState d, int index) {
        int cpu = vectors.emptiestCpu(x2apic(d));
        if (cpu < 0) {
            throw new IllegalStateException("no free vector on any CPU");
        }
        return newDesc(d, index, cpu, vectors.allocate(cpu));
    }

    private IrqDesc newReservedDesc(DeviceState d, int index) {
        IrqDesc desc = new IrqDesc(irqs.allocate(), d, index);
        desc.reserved = true;
        desc.cpu = 0;
        desc.vector = X86Msi.RESERVATION_VECTOR;
        d.descs.put(desc);
        irqs.put(desc);
        return desc;
    }

    private IrqDesc newDesc(DeviceState d, int index, int cpu, int vector) {
        IrqDesc desc = new IrqDesc(irqs.allocate(), d, index);
        desc.cpu = cpu;
        desc.vector = vector;
        desc.blockSize = d.blockSize;
        try {
            table.install(cpu, vector, desc);
        } catch (IllegalStateException taken) {
            irqs.remove(desc.irq); // the number goes back
            throw taken;
        }
        d.descs.put(desc);
        irqs.put(desc);
        return desc;
    }

    /** Attaches a storage; its interrupts are remapped if the machine remaps and it is not the remapping unit's own. */
    private void attach(DeviceState d, org.msidomain.spi.MsiStorage storage) {
        d.attach(storage);
        d.remapped = remap != null && !d.has(StorageFlag.REMAPPING_UNIT);
    }

    /** Whether a device's messages can address x2APIC ids (remapped, or the remapping unit's own). */
    private static boolean x2apic(DeviceState d) {
        return d.remapped || d.has(StorageFlag.REMAPPING_UNIT);
    }

    /** Turns off and releases a storage whose first allocation failed, so the device is left disabled. */
    private static void abandonStorage(DeviceState d) {
        if (d.writable()) {
            try {
                d.storage().disable();
                d.provider().ops().releaseStorage(d.storage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0}: disabling after a failed allocation: {1}", d.id(), e.getMessage());
            }
        }
        d.dropStorage();
    }

    /** Undoes {@link #newDesc} for an allocation that failed half way. */
    private void forget(DeviceState d, List<IrqDesc> descs) {
        for (IrqDesc desc : descs) {
            if (!desc.reserved) {
                table.uninstall(desc.cpu, desc.vector);
            }
        }
        writer.releaseEntries(d, descs);
        releaseVectors(d, descs);
        for (IrqDesc desc : descs) {
            d.descs.remove(desc.index);
            irqs.remove(desc.irq);
        }
    }

    /** Gives the descriptors' vectors back, one by one (a multi-message block's too: each irq has its own). */
    private void releaseVectors(DeviceState d, List<IrqDesc> descs) {
        descs.stream().filter(desc -> !desc.reserved).forEach(desc -> vectors.release(desc.cpu, desc.vector));
        d.blockSize = 1;
    }

    private static int firstFreeIndex(DeviceState d, int hwsize) {
        for (int i = 0; i < hwsize; i++) {
            if (!d.descs.contains(i)) {
                return i;
            }
        }
        throw new IllegalStateException("every entry of " + d.id() + " (" + hwsize + ") is in use");
    }

    /** A device's default storage, by its id in either form ({@code 00:04.0}, {@code 0000:00:04.0}). */
    private DeviceState device(String id) {
        List<DeviceState> storages = storagesOf(id);
        if (storages.isEmpty() || storages.get(0).removed) {
            throw new IllegalArgumentException("unknown device " + id);
        }
        return storages.get(0);
    }

    /** A device's storages by its id in either form; empty if unknown (a removed one's until its removal ran). */
    private List<DeviceState> storagesOf(String id) {
        List<DeviceState> storages = devices.storages(id);
        return !storages.isEmpty() ? storages
                : machine.device(id).map(hw -> devices.storages(hw.id())).orElse(List.of());
    }

    private IrqDesc desc(int irq) {
        IrqDesc desc = irqs.get(irq);
        if (desc == null || desc.device.removed) { // a removed device's irqs are gone for callers at once
            throw new IllegalArgumentException("no irq " + irq);
        }
        return desc;
    }

    /**
     * Runs provider code for a device. A refusal ({@link IllegalArgumentException},
     * {@link IllegalStateException}) goes back to the caller as it is; anything else, an Error of the
     * provider's too ({@link ProviderGuard.ProviderError}), is a provider fault:
     * the device is marked failed with the reason (shown by msi:providers and msi:why, posted as an event),
     * its storage is dropped (delivery goes on with the messages in its registers), and the caller gets one
     * line. Other devices and providers are not affected; a provider that binds later restores the device.
     */
    private void contain(DeviceState d, Runnable providerWork) {
        try {
            providerWork.run();
        } catch (RuntimeException e) {
            stillOwner(e);
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                throw e; // a refusal
            }
            String who = d.provider() == null ? "the provider" : "provider " + d.provider().symbolicName();
            Throwable fault = e instanceof ProviderGuard.ProviderError ? e.getCause() : e; // named as thrown
            d.fail(who + " failed on " + d.id() + ": " + fault.getClass().getSimpleName()
                    + (fault.getMessage() == null ? "" : ": " + fault.getMessage()));
            LOG.log(Level.ERROR, d.reason());
            events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.REASON, d.reason()));
            throw new IllegalStateException(d.reason(), e);
        }
    }

    /**
     * Makes sure a failure is handled only by a thread that still owns the control lock: one whose provider
     * call was abandoned unwinds without touching the domain.
     */
    private void stillOwner(RuntimeException e) {
        if (!control.isHeldByCurrentThread()) {
            throw guard.abandoned();
        }
    }

    /** Runs a change of a device's storage state between the storage's lock and unlock. */
    private void underBusLock(DeviceState d, Runnable change) {
        contain(d, () -> {
            MsiStorageOps ops = d.provider().ops();
            org.msidomain.spi.MsiStorage storage = d.storage();
            ops.lock(storage);
            try {
                change.run();
            } finally {
                ops.unlock(storage);
            }
        });
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
