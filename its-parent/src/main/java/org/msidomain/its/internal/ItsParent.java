package org.msidomain.its.internal;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Machine;
import org.msidomain.hw.irqchip.GicIts;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The GICv3 ITS as the MSI parent of an {@code arm64-gicv3-its} machine, driven as Linux's
 * {@code drivers/irqchip/irq-gic-v3-its.c} drives it, only through its command queue: a collection per CPU
 * ({@code its_cpu_init_collection}: MAPC), a DeviceID per requester id with an ITT ({@code its_create_device}: MAPD),
 * an (EventID, LPI, collection) translation per interrupt ({@code its_irq_domain_activate}: MAPTI), MOVI on an
 * affinity change ({@code its_set_affinity}), the LPI's enable bit with INV for masking ({@code lpi_update_config}),
 * DISCARD on deactivation and MAPD V=0 when a DeviceID's last event goes ({@code its_irq_domain_free}); each followed
 * by SYNC. The message is a write of the EventID to {@code GITS_TRANSLATER} ({@code its_irq_compose_msi_msg}), the
 * same wherever the interrupt is steered: a move never touches the device. Targets are (CPU, LPI INTID); the LPI is
 * global, so it is the interrupt's on every CPU it moves to and is freed when no slot uses it.
 *
 * <p>Control path only (the domain calls one method at a time); {@link #free} and {@link #used} may be read without
 * the lock.
 */
@Component(service = MsiParent.class, property = MsiParent.ARCH + "=" + ItsParent.ARCH)
public final class ItsParent implements MsiParent {

    static final String ARCH = "arm64-gicv3-its";
    /** Linux's reset LPI configuration ({@code gic_reset_prop_table}): priority 0xa0, Group 1, disabled. */
    static final int LPI_PROP_DEFAULT = 0xa0 | 0x02;

    private static final Set<ParentFeature> FEATURES = Set.copyOf(EnumSet.of(ParentFeature.MASK_AT_DESTINATION,
            ParentFeature.PCI_MSI_MASK_PARENT, ParentFeature.MULTI_PCI_MSI));

    /** An interrupt's ITS state: its event, its LPI, the slots that use the LPI and the collection it targets. */
    private static final class Event {
        final ParentIrq irq;
        final ParentDevice storage;
        final ItsDevice device;
        final int eventId;
        final int lpi;
        /** Slots (CPU, LPI) the domain holds: two while a move is under way. */
        int refs;
        /** The CPU (collection) its translation targets; -1 while not mapped. */
        int cpu = -1;
        boolean enabled;

        Event(ParentIrq irq, ItsDevice device, int eventId, int lpi) {
            this.irq = irq;
            this.storage = irq.device();
            this.device = device;
            this.eventId = eventId;
            this.lpi = lpi;
        }
    }

    private final Machine machine;
    private final GicIts its;
    private final ItsCommandQueue queue;
    private final int cpus;
    private final long translater;
    private final Map<ParentIrq, Event> events = new IdentityHashMap<>();
    /** The interrupt of each LPI (INTID - 8192), or null while free (Linux's LPI range allocator). */
    private final Event[] lpis;
    private volatile int freeLpis;
    private final Map<Integer, ItsDevice> devices = new HashMap<>();
    /** LPIs targeted at each CPU ({@code cpu_lpi_count}): the load {@code its_select_cpu} balances. */
    private final AtomicIntegerArray load;
    private final BitSet online = new BitSet();

    @Activate
    public ItsParent(@Reference(name = "machine", target = "(" + MsiParent.ARCH + "=" + ARCH + ")") Machine machine) {
        this.machine = machine;
        this.its = machine.irqchip(GicIts.class)
                .orElseThrow(() -> new IllegalStateException("the " + ARCH + " machine has no ITS"));
        this.queue = new ItsCommandQueue(its);
        this.cpus = machine.cpuCount();
        this.translater = its.translaterAddress();
        this.lpis = new Event[its.lpiCount()];
        this.load = new AtomicIntegerArray(cpus);
        if (cpus > its.collections()) {
            throw new IllegalStateException(cpus + " CPUs, but the ITS has " + its.collections() + " collections");
        }
        boot();
    }

    /**
     * What Linux does at boot: the LPI configuration table reset ({@code gic_reset_prop_table}), then for each CPU
     * its collection mapped and invalidated ({@code its_cpu_init_collection}: MAPC, INVALL). Done again when a new
     * domain took over the machine, which resets the ITS.
     */
    private void boot() {
        events.clear();
        java.util.Arrays.fill(lpis, null);
        freeLpis = lpis.length;
        devices.clear();
        queue.reset();
        for (int lpi = 0; lpi < lpis.length; lpi++) {
            its.writeLpiConfig(GicIts.LPI_BASE + lpi, LPI_PROP_DEFAULT);
        }
        ItsCommandQueue.Batch batch = queue.batch();
        for (int cpu = 0; cpu < cpus; cpu++) {
            load.set(cpu, 0);
            online.set(cpu);
            machine.localApic(cpu).enableInterrupts();
            batch.mapc(cpu, cpu).invall(cpu).sync(cpu);
        }
        batch.post();
    }

    /**
     * A domain that connects to a machine another domain used resets its ITS (tables, collections, LPI
     * configuration): the reset configuration byte, which this parent never writes, shows it; then boot again.
     */
    private void rebootIfReset() {
        if (its.lpiConfig(GicIts.LPI_BASE) == 0) {
            boot();
        }
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public String name() {
        return "ITS";
    }

    /** {@code gic_v3_its_msi_parent_ops.prefix}. */
    @Override
    public String prefix(ParentDevice device) {
        return "ITS-";
    }

    /**
     * {@code ITS_MSI_FLAGS_SUPPORTED} and {@code _REQUIRED}: multi-message PCI MSI, PCI MSI masked at the parent too;
     * masking is the LPI's enable bit, at the destination.
     */
    @Override
    public Set<ParentFeature> features(ParentDevice device) {
        return FEATURES;
    }

    @Override
    public int cpus() {
        return cpus;
    }

    /** The dispatch table spans the INTIDs up to the last LPI. */
    @Override
    public int ids() {
        return GicIts.LPI_BASE + lpis.length;
    }

    /** The LPIs left in the pool: every CPU shares it. */
    @Override
    public int free(int cpu) {
        checkCpu(cpu);
        return freeLpis;
    }

    /** The LPIs targeted at a CPU. */
    @Override
    public int used(int cpu) {
        checkCpu(cpu);
        return load.get(cpu);
    }

    /**
     * {@code its_select_cpu} for an interrupt that is not managed and {@code cpumask_pick_least_loaded}: the online
     * CPU of the mask with the fewest LPIs, the lowest on a tie; -1 if the mask has no online CPU or no LPI is left.
     */
    @Override
    public int bestCpu(ParentDevice device, BitSet candidates) {
        rebootIfReset();
        if (freeLpis == 0) {
            return -1;
        }
        int best = -1;
        int fewest = Integer.MAX_VALUE;
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            if ((candidates == null || candidates.get(cpu)) && load.get(cpu) < fewest) {
                best = cpu;
                fewest = load.get(cpu);
            }
        }
        return best;
    }

    /**
     * The interrupt's LPI: taken from the pool with its EventID on its first target ({@code its_msi_prepare}
     * maps the DeviceID, {@code its_irq_domain_alloc} takes the event and the LPI); an interrupt that has one keeps
     * it on every CPU, the slot counted.
     */
    @Override
    public int allocate(ParentIrq irq, int cpu) {
        rebootIfReset();
        checkCpu(cpu);
        if (!online.get(cpu)) {
            throw new IllegalStateException("CPU " + cpu + " is offline");
        }
        Event event = events.get(irq);
        if (event == null) {
            event = newEvent(irq);
            events.put(irq, event);
            lpis[event.lpi - GicIts.LPI_BASE] = event;
            freeLpis--;
        }
        event.refs++;
        load.incrementAndGet(cpu);
        return event.lpi;
    }

    private Event newEvent(ParentIrq irq) {
        if (freeLpis == 0) {
            throw new IllegalStateException("no free LPI: all " + lpis.length + " of the ITS are in use");
        }
        ParentDevice storage = irq.device();
        ItsDevice device = device(storage);
        int eventId;
        try {
            eventId = device.claim(storage, irq.index());
        } catch (IllegalStateException full) {
            unmapIfUnused(device);
            throw full;
        }
        int lpi = 0;
        while (lpis[lpi] != null) {
            lpi++;
        }
        return new Event(irq, device, eventId, GicIts.LPI_BASE + lpi);
    }

    /**
     * The storage's DeviceID, mapped to an ITT on first use ({@code its_create_device}: MAPD V=1). The DeviceID is the
     * requester id (a PCI device's {@code pci_msi_domain_get_msi_rid} without an IOMMU map): a storage without one
     * cannot be translated and is refused.
     */
    private ItsDevice device(ParentDevice storage) {
        int rid = storage.requesterId();
        if (rid < 0) {
            throw new IllegalStateException(storage.id() + ": no requester id, so no DeviceID: the ITS translates a"
                    + " write only by the DeviceID it carries");
        }
        int deviceId = rid & 0xFFFF;
        ItsDevice device = devices.get(deviceId);
        if (device == null) {
            device = new ItsDevice(deviceId, ItsDevice.ittSize(storage, deviceId));
            queue.batch().mapd(deviceId, device.ites, device.itt(), true).post();
            devices.put(deviceId, device);
        }
        return device;
    }

    /**
     * Gives a slot back; the LPI goes back to the pool with the last one. If its translation is still mapped then (a
     * managed interrupt shut down with its CPUs), it is masked and discarded first, as Linux's shutdown and
     * deactivation would.
     */
    @Override
    public void release(int cpu, int id) {
        checkCpu(cpu);
        int index = id - GicIts.LPI_BASE;
        Event event = index >= 0 && index < lpis.length ? lpis[index] : null;
        if (event == null) {
            throw new IllegalStateException("LPI " + id + " is not allocated");
        }
        load.decrementAndGet(cpu);
        if (--event.refs > 0) {
            return;
        }
        if (events.get(event.irq) == event) {
            unmap(event);
            forget(event);
        }
        lpis[index] = null;
        freeLpis++;
    }

    /**
     * Points the interrupt's translation at the CPU's collection and returns its message. First time
     * ({@code its_irq_domain_activate}): the LPI starts disabled and the event is mapped, MAPTI + SYNC; on a move
     * ({@code its_set_affinity}): MOVI + SYNC (the SYNC to the old collection's redistributor, as
     * {@code its_build_movi_cmd} returns it), the message unchanged.
     */
    @Override
    public MsiMsg activate(ParentIrq irq, int cpu, int id) {
        checkCpu(cpu);
        Event event = events.get(irq);
        if (event == null || event.lpi != id) {
            throw new IllegalStateException("irq " + irq.irq() + ": LPI " + id + " was not allocated for it");
        }
        int deviceId = event.device.deviceId;
        if (event.cpu < 0) {
            its.writeLpiConfig(event.lpi, LPI_PROP_DEFAULT);
            event.enabled = false;
            queue.batch().mapti(deviceId, event.eventId, event.lpi, cpu).sync(cpu).post();
            event.cpu = cpu;
        } else if (event.cpu != cpu) {
            int from = event.cpu;
            queue.batch().movi(deviceId, event.eventId, cpu).sync(from).post();
            event.cpu = cpu;
        }
        return message(event);
    }

    /** {@code its_irq_compose_msi_msg}: GITS_TRANSLATER, data the EventID (a multi-message block's first). */
    private MsiMsg message(Event event) {
        int data = event.storage.blockSize() > 1 ? event.device.base(event.storage) : event.eventId;
        return new MsiMsg((int) translater, (int) (translater >>> 32), data);
    }

    /** {@code its_irq_domain_deactivate} for each, then what {@code its_irq_domain_free} cleans up. */
    @Override
    public void deactivate(List<? extends ParentIrq> irqs) {
        for (ParentIrq irq : irqs) {
            Event event = events.get(irq);
            if (event != null) {
                unmap(event);
                forget(event);
            }
        }
    }

    /** {@code its_mask_irq}: the LPI's enable bit cleared, INV + SYNC, so the ITS holds what arrives as pending. */
    @Override
    public void mask(ParentIrq irq) {
        setEnabled(irq, false);
    }

    /** {@code its_unmask_irq}: enabled, INV + SYNC; an LPI pending meanwhile is delivered once. */
    @Override
    public void unmask(ParentIrq irq) {
        setEnabled(irq, true);
    }

    /** {@code lpi_update_config}: the configuration byte in memory, then INV so the ITS reads it again. */
    private void setEnabled(ParentIrq irq, boolean enable) {
        Event event = events.get(irq);
        if (event == null || event.cpu < 0) {
            throw new IllegalStateException("irq " + irq.irq() + " has no ITS translation to mask or unmask");
        }
        its.writeLpiConfig(event.lpi, LPI_PROP_DEFAULT | (enable ? GicIts.LPI_ENABLE : 0));
        event.enabled = enable;
        queue.batch().inv(event.device.deviceId, event.eventId).sync(event.cpu).post();
    }

    /**
     * Stops the translation: an enabled LPI is disabled and invalidated first (Linux masks in {@code irq_shutdown}
     * before it deactivates), so the LPI leaves no enabled state behind for its next owner; then DISCARD + SYNC.
     */
    private void unmap(Event event) {
        if (event.cpu < 0) {
            return;
        }
        int deviceId = event.device.deviceId;
        ItsCommandQueue.Batch batch = queue.batch();
        if (event.enabled) {
            its.writeLpiConfig(event.lpi, LPI_PROP_DEFAULT);
            event.enabled = false;
            batch.inv(deviceId, event.eventId);
        }
        batch.discard(deviceId, event.eventId).sync(event.cpu).post();
        event.cpu = -1;
    }

    /** The interrupt's event given back; a DeviceID left without events is unmapped. */
    private void forget(Event event) {
        events.remove(event.irq);
        event.device.release(event.storage);
        unmapIfUnused(event.device);
    }

    /** {@code its_irq_domain_free}: MAPD V=0 once the DeviceID's last event is gone. */
    private void unmapIfUnused(ItsDevice device) {
        if (device.unused()) {
            devices.remove(device.deviceId);
            queue.batch().mapd(device.deviceId, device.ites, device.itt(), false).post();
        }
    }

    /**
     * A CPU goes offline: it takes no new target and its CPU interface holds what still reaches it (its interrupts
     * are off as the dying CPU migrates them); its LPIs move by MOVI, which carries a pending LPI with it.
     */
    @Override
    public void cpuOffline(int cpu) {
        rebootIfReset();
        checkCpu(cpu);
        machine.localApic(cpu).disableInterrupts();
        online.clear(cpu);
    }

    @Override
    public void cpuOnline(int cpu) {
        rebootIfReset();
        checkCpu(cpu);
        online.set(cpu);
        machine.localApic(cpu).enableInterrupts();
    }

    /** A message the dying CPU's interface holds for the LPI, taken (the domain retriggers it on the new target). */
    @Override
    public boolean takeHeld(int cpu, int id) {
        return machine.localApic(cpu).testAndClearIrr(id);
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (cpus - 1));
        }
    }

    // ---- for tests and views ----

    /** The EventID of an interrupt, or -1. */
    int eventOf(ParentIrq irq) {
        Event event = events.get(irq);
        return event == null ? -1 : event.eventId;
    }

    /** Whether a DeviceID is mapped. */
    boolean mapped(int deviceId) {
        return devices.containsKey(deviceId);
    }
}
