package org.msidomain.hw.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.LocalApic;
import org.msidomain.hw.Machine;
import org.msidomain.hw.MachineListener;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.WaitingDevice;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.irqchip.ImsicMessagePath;
import org.msidomain.hw.internal.irqchip.ItsMessagePath;
import org.msidomain.hw.internal.irqchip.SimGicIts;
import org.msidomain.hw.internal.irqchip.SimGicV2m;
import org.msidomain.hw.internal.irqchip.SimImsic;
import org.msidomain.hw.internal.irqchip.V2mMessagePath;
import org.msidomain.hw.internal.pci.Lspci;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.hw.internal.pci.PciView;
import org.msidomain.hw.internal.pci.SimHypervisor;

/**
 * The simulated machine: CPUs fixed at build time ({@link MachineSpec}), devices created by their
 * {@link org.msidomain.hw.DeviceKind} services; {@link MachineComponent} registers it as the
 * {@link Machine} service.
 *
 * <p>Every described device is created through the kind its entry names, the built-in ones too: a device
 * whose kind has no service waits ({@link #waiting()}), is created when one arrives ({@link #kindAdded})
 * and leaves, as a surprise removal, when it goes ({@link #kindRemoved}). A device stays with the service
 * that created it until that service leaves; waiting ones take the best present (highest ranking). Each is
 * handed out wrapped ({@link LiveDevice}), which keeps the read-back flush for every kind.
 *
 * <p>Listeners hear the changes in order, on the thread that changed the kinds, under no lock but the
 * machine's private one for kind changes (which no listener can need: it is taken only by
 * {@link #kindAdded}, {@link #kindRemoved} and {@link #close}). Readers ({@link #devices()},
 * {@link #device}, {@link #waiting()}) take no lock: they read an immutable snapshot.
 *
 * <p>It boots as Linux finds it: every device is quiesced ({@link BootQuiesce}; for a PCI function, MSI
 * and MSI-X Enable cleared as pci_msi_init and pci_msix_init do), unless the spec is {@code asDumped}.
 * A domain that connects after another one boots on what that one programmed, so the devices are
 * quiesced again and the remapping table emptied first: no device fires an old message into a vector
 * the new domain hands out.
 *
 * <p>Interrupt remapping is the machine's: the table is built here when a {@code dmar} entry has an
 * {@code irtSize} above 0, and that unit reaches it through its port; its fault events raise that unit.
 */
public final class SimMachine implements Machine {

    private static final System.Logger LOG = System.getLogger("org.msidomain.hw");

    private final int[] apicIds;
    private final InterruptFabric fabric = new InterruptFabric();
    private final SimHypervisor hypervisor = new SimHypervisor();
    private final boolean asDumped;
    private final List<DeviceSpec> described;
    private final RemappingTable remapping;
    private final ArchSpec arch;
    /** The interrupt controller of a non-x86 architecture, or null. */
    private final Object irqchip;
    /** The DMAR unit that carries {@link #remapping}, or null. */
    private final String remappingUnit;
    private volatile VectorSink sink;
    /** The domains connected so far; guarded by this. */
    private int domains;

    private final List<MachineListener> listeners = new CopyOnWriteArrayList<>();
    /** Serializes kind changes with their listener calls, so listeners hear them in order. */
    private final Object changes = new Object();
    /** The kinds' services, best first per kind; guarded by changes. */
    private final Map<String, List<KindService>> kinds = new HashMap<>();
    /** The live devices by name; guarded by changes. */
    private final Map<String, LiveDevice> live = new HashMap<>();
    /** Why a device waits, by name, when its kind refused it; guarded by changes. */
    private final Map<String, String> refused = new HashMap<>();
    /** Guarded by changes. */
    private boolean closed;
    private volatile Snapshot snapshot = new Snapshot(List.of(), Map.of(), List.of());

    /** What readers see: the live devices in description order, by id, and the waiting ones. */
    private record Snapshot(List<HwDevice> devices, Map<String, LiveDevice> byId, List<WaitingDevice> waiting) {
    }

    /** A machine with the built-in kinds only (tests, benchmarks, tools). */
    public SimMachine(MachineSpec spec) {
        this(spec, BuiltInKinds.services());
    }

    /**
     * @param kinds the device kinds present at boot: their devices exist when this returns
     * @throws IllegalArgumentException if the machine cannot be built (two remapping units, a bad table size)
     */
    public SimMachine(MachineSpec spec, Collection<KindService> kinds) {
        for (String problem : spec.problems()) {
            LOG.log(System.Logger.Level.WARNING, problem);
        }
        apicIds = spec.apicIds().stream().mapToInt(Integer::intValue).toArray();
        arch = spec.arch();
        for (int cpu = 0; cpu < apicIds.length; cpu++) {
            fabric.attach(new SimLocalApic(cpu, apicIds[cpu], () -> sink, fabric, arch.ids()));
        }
        irqchip = irqchip(arch, fabric);
        asDumped = spec.asDumped();
        described = SourceIds.assign(spec.deviceSpecs());
        Set<String> names = new HashSet<>();
        RemappingTable table = null;
        String unit = null;
        for (DeviceSpec d : described) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("another device is named '" + d.name() + "'");
            }
            int irt = "dmar".equals(d.kind()) ? irtSize(d) : 0;
            if (irt > 0) {
                if (table != null) {
                    throw new IllegalArgumentException(d.name() + ": only one DMAR unit may remap interrupts");
                }
                table = new RemappingTable(irt, this::remappingFault);
                unit = d.name();
            }
        }
        remapping = table;
        remappingUnit = unit;
        if (table != null) {
            fabric.enableRemapping(table);
        }
        synchronized (changes) {
            for (KindService k : kinds) {
                register(k);
            }
            createWaiting(null); // nobody listens yet
        }
    }

    /** The architecture's controller, its message path installed in the fabric; null on x86. */
    private static Object irqchip(ArchSpec arch, InterruptFabric fabric) {
        if (arch.its() != null) {
            SimGicIts its = new SimGicIts(arch.its().base(), arch.its().lpis(), fabric);
            fabric.install(new ItsMessagePath(its, fabric));
            return its;
        }
        if (arch.v2m() != null) {
            SimGicV2m v2m = new SimGicV2m(arch.v2m().frame(), arch.v2m().spiBase(), arch.v2m().spiCount(), fabric);
            fabric.install(new V2mMessagePath(v2m, fabric));
            return v2m;
        }
        if (arch.imsic() != null) {
            SimImsic imsic = new SimImsic(arch.imsic().base(), arch.imsic().stride(), arch.imsic().identities(), fabric);
            fabric.install(new ImsicMessagePath(imsic, fabric));
            return imsic;
        }
        return null;
    }

    private static int irtSize(DeviceSpec d) {
        String v = d.property("irtSize", "0").trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(d.name() + ": irtSize: '" + v + "' is not an integer");
        }
    }

    /** A remapping fault: the unit's fault event (event source 0), if the unit is part of the machine. */
    private void remappingFault() {
        LiveDevice unit = snapshot.byId().get(remappingUnit);
        if (unit != null) {
            unit.raise(0);
        }
    }

    // ---- kinds coming and going ----

    /** A kind's service arrived: the devices waiting for its kind are created, and the listeners told. */
    public void kindAdded(KindService kind) {
        synchronized (changes) {
            if (closed) {
                return;
            }
            register(kind);
            for (LiveDevice d : createWaiting(kind.name())) {
                LOG.log(System.Logger.Level.INFO, "device " + d.id() + " added: device kind '" + kind.name() + "' arrived");
                tell(l -> l.deviceAdded(d), "deviceAdded", d);
            }
        }
    }

    /**
     * A kind's service left: the devices it created leave as surprise-removed ones (nothing more goes out,
     * messages under way are delivered first), are destroyed and the listeners told; they wait again, or
     * another service of the kind takes them at once.
     */
    public void kindRemoved(KindService kind) {
        synchronized (changes) {
            List<KindService> services = kinds.get(kind.name());
            if (closed || services == null || !services.remove(kind)) {
                return;
            }
            if (services.isEmpty()) {
                kinds.remove(kind.name());
            }
            List<LiveDevice> gone = new ArrayList<>();
            for (DeviceSpec spec : described) {
                LiveDevice d = live.get(spec.name());
                if (d != null && d.kind().equals(kind)) {
                    d.port().remove();
                    live.remove(spec.name());
                    gone.add(d);
                }
            }
            publish();
            for (LiveDevice d : gone) {
                LOG.log(System.Logger.Level.INFO, "device " + d.id() + " removed: device kind '" + kind.name() + "' left");
                destroy(d);
                tell(l -> l.deviceRemoved(d), "deviceRemoved", d);
            }
            for (LiveDevice d : createWaiting(kind.name())) {
                LOG.log(System.Logger.Level.INFO, "device " + d.id() + " added: another device kind '" + kind.name()
                        + "' took it");
                tell(l -> l.deviceAdded(d), "deviceAdded", d);
            }
        }
    }

    /** The machine is shut down: every device leaves and is destroyed; listeners are not told. */
    public void close() {
        synchronized (changes) {
            if (closed) {
                return;
            }
            closed = true;
            List<LiveDevice> all = new ArrayList<>(live.values());
            live.clear();
            publish();
            for (LiveDevice d : all) {
                d.port().remove();
                destroy(d);
            }
        }
    }

    private void register(KindService kind) {
        List<KindService> services = kinds.computeIfAbsent(kind.name(), k -> new ArrayList<>());
        services.add(kind);
        services.sort(KindService.BEST_FIRST);
    }

    /** Creates the waiting devices of {@code kind} (all kinds if null); returns them, in description order. */
    private List<LiveDevice> createWaiting(String kind) {
        List<LiveDevice> created = new ArrayList<>();
        for (DeviceSpec spec : described) {
            if (live.containsKey(spec.name()) || (kind != null && !kind.equals(spec.kind()))) {
                continue;
            }
            List<KindService> services = kinds.get(spec.kind());
            if (services == null || services.isEmpty()) {
                continue;
            }
            LiveDevice d = create(spec, services.get(0));
            if (d != null) {
                live.put(spec.name(), d);
                created.add(d);
            }
        }
        publish();
        return created;
    }

    /** One device through its kind, or null (the reason kept for {@link #waiting()} and logged). */
    private LiveDevice create(DeviceSpec spec, KindService kind) {
        MachinePort port = new MachinePort(fabric, spec.requesterId(), this, spec.name());
        HwDevice device;
        try {
            device = kind.kind().create(spec, port);
        } catch (IllegalArgumentException refusal) {
            return waits(spec, oneLine(refusal.getMessage()), null);
        } catch (RuntimeException | LinkageError bug) {
            return waits(spec, "device kind '" + spec.kind() + "' failed to create it: " + bug, bug);
        }
        if (device == null || !spec.name().equals(device.id())) {
            String problem = "device kind '" + spec.kind() + "' created "
                    + (device == null ? "nothing" : "a device named '" + device.id() + "'") + " for '" + spec.name() + "'";
            if (device != null) {
                destroy(new LiveDevice(device, port, kind, spec));
            }
            return waits(spec, problem, null);
        }
        refused.remove(spec.name());
        if (!asDumped && device instanceof BootQuiesce q) {
            q.quiesce(); // what the OS does before any driver, as at boot
        }
        return new LiveDevice(device, port, kind, spec);
    }

    private LiveDevice waits(DeviceSpec spec, String reason, Throwable bug) {
        refused.put(spec.name(), reason);
        LOG.log(System.Logger.Level.WARNING, "device " + spec.name() + " (kind " + spec.kind() + ") waits: " + reason, bug);
        return null;
    }

    private static String oneLine(String message) {
        return message == null ? "refused" : message.lines().findFirst().orElse("refused");
    }

    private void destroy(LiveDevice d) {
        try {
            d.kind().kind().destroy(d.model());
        } catch (RuntimeException | LinkageError bug) {
            LOG.log(System.Logger.Level.WARNING, "device kind '" + d.spec().kind() + "' failed to destroy " + d.id(), bug);
        }
    }

    private interface Call {
        void on(MachineListener listener);
    }

    /** Each listener in turn; one that throws is logged and the others are still told. */
    private void tell(Call call, String what, HwDevice device) {
        for (MachineListener l : listeners) {
            try {
                call.on(l);
            } catch (RuntimeException | LinkageError bug) {
                LOG.log(System.Logger.Level.WARNING, "machine listener " + l + " failed in " + what + "(" + device.id() + ")", bug);
            }
        }
    }

    private void publish() {
        List<HwDevice> devices = new ArrayList<>();
        Map<String, LiveDevice> byId = new LinkedHashMap<>();
        List<WaitingDevice> waiting = new ArrayList<>();
        for (DeviceSpec spec : described) {
            LiveDevice d = live.get(spec.name());
            if (d != null) {
                devices.add(d);
                byId.put(d.id(), d);
            } else {
                String reason = kinds.containsKey(spec.kind()) ? refused.get(spec.name()) : null;
                waiting.add(new WaitingDevice(spec.name(), spec.kind(),
                        reason != null ? reason : "no device kind '" + spec.kind() + "' is installed"));
            }
        }
        snapshot = new Snapshot(List.copyOf(devices), Map.copyOf(byId), List.copyOf(waiting));
    }

    // ---- what the built-in kinds reach through their ports ----

    SimHypervisor hypervisor() {
        return hypervisor;
    }

    /** The remapping table if {@code unit} is the DMAR unit that carries it, else null. */
    RemappingTable remappingOf(String unit) {
        return unit.equals(remappingUnit) ? remapping : null;
    }

    /** What a booting OS does before any driver: no device signals with a message it was left with. */
    private void quiesce() {
        for (HwDevice d : snapshot.devices()) {
            if (Modelled.unwrap(d) instanceof BootQuiesce q) {
                q.quiesce();
            }
        }
    }

    /** A device of the model by id, with its model internals (tests, benchmarks). */
    public <T extends HwDevice> Optional<T> model(String id, Class<T> type) {
        return device(id).map(Modelled::unwrap).filter(type::isInstance).map(type::cast);
    }

    @Override
    public String arch() {
        return arch.name();
    }

    @Override
    public <T> Optional<T> irqchip(Class<T> type) {
        return type.isInstance(irqchip) ? Optional.of(type.cast(irqchip)) : Optional.empty();
    }

    @Override
    public int cpuCount() {
        return apicIds.length;
    }

    @Override
    public int apicId(int cpu) {
        return apicIds[cpu];
    }

    @Override
    public Optional<InterruptRemapping> remapping() {
        return Optional.ofNullable(remapping);
    }

    @Override
    public LocalApic localApic(int cpu) {
        if (cpu < 0 || cpu >= apicIds.length) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (apicIds.length - 1));
        }
        return fabric.apic(apicIds[cpu]);
    }

    @Override
    public List<HwDevice> devices() {
        return snapshot.devices();
    }

    @Override
    public List<WaitingDevice> waiting() {
        return snapshot.waiting();
    }

    @Override
    public void addListener(MachineListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MachineListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Optional<HwDevice> device(String id) {
        Map<String, LiveDevice> byId = snapshot.byId();
        HwDevice d = byId.get(id);
        if (d == null && id.matches("(?i)[0-9a-f]{1,6}:[0-9a-f]{1,2}:[0-9a-f]{1,2}\\.[0-7]")) {
            d = byId.get(PciAddress.parse(id).toString());
        }
        return Optional.ofNullable(d);
    }

    /** The message fabric, as the devices reach it (tests, benchmarks). */
    InterruptFabric fabric() {
        return fabric;
    }

    /** A PCI function by id, with its model internals (tests, benchmarks). */
    public Optional<PciFunction> pciFunction(String id) {
        return model(id, PciFunction.class);
    }

    @Override
    public String injectMessage(long address, int data, String fromDevice) {
        int requesterId = -1;
        if (fromDevice != null) {
            requesterId = device(fromDevice).orElseThrow(() -> new IllegalArgumentException("unknown device " + fromDevice))
                    .requesterId();
        }
        return fabric.inject((int) address, (int) (address >>> 32), data, requesterId);
    }

    @Override
    public synchronized void connect(VectorSink sink) {
        if (sink == this.sink) {
            return;
        }
        if (domains++ > 0) {
            // a new domain: what the last one programmed is stale before the new one can receive anything
            quiesce();
            if (remapping != null) {
                for (int i = 0; i < remapping.tableSize(); i++) {
                    remapping.writeEntry(i, 0, 0);
                }
                remapping.invalidate();
            }
            if (irqchip instanceof SimGicIts its) {
                its.reset();
            } else if (irqchip instanceof SimGicV2m v2m) {
                v2m.reset();
            } else if (irqchip instanceof SimImsic imsic) {
                imsic.reset();
            }
        }
        this.sink = sink;
    }

    @Override
    public synchronized void disconnect(VectorSink sink) {
        if (this.sink == sink) {
            this.sink = null;
        }
    }

    @Override
    public long coalescedMessages() {
        return fabric.coalesced();
    }

    @Override
    public long lostMessages() {
        return fabric.lost();
    }

    @Override
    public String lspci(int verbosity, String slot) {
        List<PciView> views = new ArrayList<>();
        for (HwDevice d : snapshot.devices()) {
            PciView view = pciView(d);
            if (view != null && (slot == null || view.address().matches(slot))) {
                views.add(view);
            }
        }
        views.sort(java.util.Comparator.comparing(PciView::address)); // lspci's bus order, outside kinds among them
        return Lspci.print(views, verbosity);
    }

    /**
     * A device as lspci sees it: a built-in PCI function, or a device of an outside kind that has a config space
     * (read through the machine's wrapper, so with the read-back flush), at its PCI address name or else its
     * requester id; null for a device lspci does not show.
     */
    private static PciView pciView(HwDevice d) {
        if (Modelled.unwrap(d) instanceof PciFunction f) {
            return new PciView(f.address(), f.pciConfig());
        }
        java.util.Optional<org.msidomain.hw.ConfigSpace> config = d.config();
        if (config.isEmpty()) {
            return null;
        }
        try {
            return new PciView(PciAddress.parse(d.id()), config.get());
        } catch (IllegalArgumentException notAnAddress) {
            int rid = d.requesterId();
            return rid < 0 ? null : new PciView(new PciAddress(0, rid >> 8 & 0xFF, rid >> 3 & 0x1F, rid & 7), config.get());
        }
    }
}
