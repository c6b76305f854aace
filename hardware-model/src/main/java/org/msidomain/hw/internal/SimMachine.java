package org.msidomain.hw.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.msidomain.hw.HwDevice;
import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.LocalApic;
import org.msidomain.hw.Machine;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.internal.dmar.DmarUnit;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.hpet.HpetBlock;
import org.msidomain.hw.internal.pci.Lspci;
import org.msidomain.hw.internal.platform.QueuedDevice;
import org.msidomain.hw.internal.platform.SlotDevice;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.hw.internal.pci.SimHypervisor;
import org.msidomain.hw.internal.pci.PciView;

/**
 * The simulated machine, built once from a {@link MachineSpec}; {@link MachineComponent} registers it as
 * the {@link Machine} service.
 *
 * <p>It boots as Linux finds it: every device is quiesced ({@link BootQuiesce}; for a PCI function, MSI
 * and MSI-X Enable cleared as pci_msi_init and pci_msix_init do), unless the spec is {@code asDumped}.
 * A domain that connects after another one boots on what that one programmed, so the devices are
 * quiesced again and the remapping table emptied first: no device fires an old message into a vector
 * the new domain hands out.
 */
public final class SimMachine implements Machine {

    private static final System.Logger LOG = System.getLogger("org.msidomain.hw");

    private final int[] apicIds;
    private final InterruptFabric fabric = new InterruptFabric();
    private final Map<String, HwDevice> devices = new LinkedHashMap<>();
    private final List<PciFunction> pci = new ArrayList<>();
    private final SimHypervisor hypervisor = new SimHypervisor();
    private RemappingTable remapping;
    private volatile VectorSink sink;
    /** The domains connected so far; guarded by this. */
    private int domains;

    public SimMachine(MachineSpec spec) {
        for (String problem : spec.problems()) {
            LOG.log(System.Logger.Level.WARNING, problem);
        }
        apicIds = spec.apicIds().stream().mapToInt(Integer::intValue).toArray();
        for (int cpu = 0; cpu < apicIds.length; cpu++) {
            fabric.attach(new SimLocalApic(cpu, apicIds[cpu], () -> sink, fabric));
        }
        if (spec.hpet() != null) {
            int timers = spec.hpet().timers() == null ? 8 : spec.hpet().timers();
            boolean[] fsb = new boolean[timers];
            (spec.hpet().fsbTimers() == null ? List.<Integer>of() : spec.hpet().fsbTimers()).forEach(t -> fsb[t] = true);
            add(new HpetBlock(timers, fsb, -1, fabric));
        }
        for (MachineDescription.DmarEntry d : spec.dmar()) {
            DmarUnit unit = new DmarUnit(d.name(), d.irtSize() == null ? 0 : d.irtSize(), fabric);
            add(unit);
            if (unit.remapping().isPresent()) {
                if (remapping != null) {
                    throw new IllegalArgumentException(d.name() + ": only one DMAR unit may remap interrupts");
                }
                remapping = unit.remapping().get();
                fabric.enableRemapping(remapping);
            }
        }
        for (MachineDescription.PlatformEntry p : spec.platform()) {
            add(Boolean.TRUE.equals(p.queued()) ? new QueuedDevice(p.name(), p.slots(), fabric)
                    : new SlotDevice(p.name(), p.slots(), fabric));
        }
        for (PciDump dump : spec.pci()) {
            PciFunction f = new PciFunction(dump, fabric,
                    spec.hypervisorOwned().contains(dump.address()) ? hypervisor : null);
            pci.add(f);
            devices.put(f.id(), f);
        }
        if (!spec.asDumped()) {
            quiesce();
        }
    }

    /** What a booting OS does before any driver: no device signals with a message it was left with. */
    private void quiesce() {
        for (HwDevice d : devices.values()) {
            if (d instanceof BootQuiesce q) {
                q.quiesce();
            }
        }
    }

    private void add(HwDevice device) {
        devices.put(device.id(), device);
    }

    /** A device of the model by id, with its model internals (tests, benchmarks). */
    public <T extends HwDevice> Optional<T> model(String id, Class<T> type) {
        return device(id).filter(type::isInstance).map(type::cast);
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
        return List.copyOf(devices.values());
    }

    @Override
    public Optional<HwDevice> device(String id) {
        HwDevice d = devices.get(id);
        if (d == null && id.matches("(?i)[0-9a-f]{1,6}:[0-9a-f]{1,2}:[0-9a-f]{1,2}\\.[0-7]")) {
            d = devices.get(PciAddress.parse(id).toString());
        }
        return Optional.ofNullable(d);
    }

    /** A PCI function by id, with its model internals (tests, benchmarks). */
    public Optional<PciFunction> pciFunction(String id) {
        return device(id).filter(PciFunction.class::isInstance).map(PciFunction.class::cast);
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
        for (PciFunction f : pci) {
            if (slot == null || f.address().matches(slot)) {
                views.add(new PciView(f.address(), f.pciConfig()));
            }
        }
        return Lspci.print(views, verbosity);
    }
}
