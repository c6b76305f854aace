package org.msidomain.gicv2m.internal;

import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Machine;
import org.msidomain.hw.irqchip.GicV2m;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The GICv2m MSI frame as the MSI parent of an {@code arm64-gicv2m} machine (Linux {@code irq-gic-v2m.c} on the GIC
 * distributor of {@code irq-gic.c}). A target is an SPI of the frame ({@code MSI_TYPER}): the message is a write
 * of the SPI number to {@code MSI_SETSPI_NS} ({@code gicv2m_compose_msi_msg}), so it never names a CPU; affinity is
 * the distributor's {@code GICD_ITARGETSR} ({@code gic_set_affinity}) and masking its enable bit
 * ({@code gic_mask_irq}/{@code gic_unmask_irq} through {@code irq_chip_mask_parent}), where an edge raised while
 * disabled stays pending and is signalled once on enable. PCI MSI is masked at both ends
 * ({@code MSI_FLAG_PCI_MSI_MASK_PARENT}) and may be multi-message ({@code MSI_FLAG_MULTI_PCI_MSI}): a block of
 * aligned SPIs whose first the device stores, adding its vector number.
 *
 * <p>An SPI is one id for every CPU: an interrupt keeps it across moves and it is counted once per (CPU, SPI) slot
 * of the domain. A CPU going offline gets its SPIs disabled in the distributor (its interface takes nothing),
 * so what is raised meanwhile stays pending there and follows the route to the CPU it moves to; nothing is held on
 * the CPU ({@link #takeHeld} is false).
 *
 * <p>Threads: the domain calls every method on its control path, one at a time; {@link #free} and {@link #used}
 * are also read by views without it.
 */
@Component(service = MsiParent.class, property = MsiParent.ARCH + "=" + V2mParent.ARCH)
public final class V2mParent implements MsiParent {

    static final String ARCH = "arm64-gicv2m";
    /** Linux's V2M_MIN_SPI and V2M_MAX_SPI ({@code is_msi_spi_valid}). */
    private static final int MIN_SPI = 32;
    private static final int MAX_SPI = 1019;
    private static final Set<ParentFeature> PCI = Set.copyOf(EnumSet.of(ParentFeature.MULTI_PCI_MSI,
            ParentFeature.PCI_MSI_MASK_PARENT, ParentFeature.MASK_AT_DESTINATION));
    /** Platform MSI: msi_lib_init_dev_msi_info keeps no PCI flag for another bus. */
    private static final Set<ParentFeature> OTHER = Set.of(ParentFeature.MASK_AT_DESTINATION);

    private final GicV2m gic;
    private final int cpus;
    private final int first;
    private final int count;
    private final long setSpi;
    private final SpiOwners owners;
    private final AtomicIntegerArray used;
    private final BitSet online = new BitSet();
    /** Per SPI (offset in the frame): masked by the domain; a new target starts masked. */
    private final boolean[] masked;
    /** Per SPI: routed to an offline CPU, so disabled until it moves or the CPU comes back. */
    private final boolean[] heldOff;
    /** Per SPI: the CPU activate routed it to, or -1. */
    private final int[] routed;

    @Activate
    public V2mParent(@Reference(name = "machine", target = "(" + MsiParent.ARCH + "=" + ARCH + ")") Machine machine) {
        this.gic = machine.irqchip(GicV2m.class).orElseThrow(() -> new IllegalArgumentException(
                "an " + ARCH + " machine without a GICv2m frame"));
        this.cpus = machine.cpuCount();
        int typer = gic.typer();
        this.first = typer >>> 16 & 0x3FF; // V2M_MSI_TYPER_BASE_SPI
        this.count = typer & 0x3FF; // V2M_MSI_TYPER_NUM_SPI
        if (first < MIN_SPI || count == 0 || first + count > MAX_SPI) {
            throw new IllegalArgumentException(String.format("GICv2m frame 0x%x: MSI_TYPER 0x%08x names SPIs %d-%d,"
                    + " not within %d-%d", gic.frameAddress(), typer, first, first + count - 1, MIN_SPI, MAX_SPI - 1));
        }
        this.setSpi = gic.setSpiAddress();
        this.owners = new SpiOwners(first, count);
        this.used = new AtomicIntegerArray(cpus);
        this.online.set(0, cpus);
        this.masked = new boolean[count];
        this.heldOff = new boolean[count];
        this.routed = new int[count];
        Arrays.fill(routed, -1);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public String name() {
        return "GICv2m"; // gicv2m_irq_chip.name
    }

    @Override
    public String prefix(ParentDevice device) {
        return "GICv2m-"; // gicv2m_msi_parent_ops.prefix
    }

    @Override
    public Set<ParentFeature> features(ParentDevice device) {
        return "pci".equals(device.storageType()) ? PCI : OTHER;
    }

    @Override
    public int cpus() {
        return cpus;
    }

    /** The dispatch table is indexed by INTID: up to the frame's last SPI. */
    @Override
    public int ids() {
        return first + count;
    }

    /** The frame's SPIs left: any of them can be routed to any CPU. */
    @Override
    public int free(int cpu) {
        checkCpu(cpu);
        return owners.free();
    }

    /** The (CPU, SPI) targets on a CPU: the SPIs routed there, and during a move the one arriving. */
    @Override
    public int used(int cpu) {
        checkCpu(cpu);
        return used.get(cpu);
    }

    /**
     * The least loaded online CPU of the candidates, the lowest on a tie. Any CPU can take any SPI, and an interrupt
     * that moves keeps its SPI, so the choice does not depend on SPIs left: {@link #allocate} refuses a new
     * interrupt when the frame is full.
     */
    @Override
    public int bestCpu(ParentDevice device, BitSet candidates) {
        int best = -1;
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            if ((candidates == null || candidates.get(cpu)) && (best < 0 || used.get(cpu) < used.get(best))) {
                best = cpu;
            }
        }
        return best;
    }

    /**
     * The interrupt's SPI, taken from the frame the first time ({@code gicv2m_irq_domain_alloc}; it starts disabled
     * in the distributor), the same one on every later call (a move).
     */
    @Override
    public int allocate(ParentIrq irq, int cpu) {
        checkCpu(cpu);
        if (!online.get(cpu)) {
            throw new IllegalStateException("CPU " + cpu + " is offline");
        }
        int spi = owners.spi(irq);
        if (spi < 0) {
            spi = owners.take(irq);
            masked[spi - first] = true;
            heldOff[spi - first] = false;
            gic.disable(spi);
        }
        owners.ref(spi);
        used.incrementAndGet(cpu);
        return spi;
    }

    @Override
    public void release(int cpu, int id) {
        checkCpu(cpu);
        if (owners.unref(id)) { // no slot uses it: back to the frame, disabled (irq_shutdown masked it)
            int offset = id - first;
            masked[offset] = true;
            heldOff[offset] = false;
            routed[offset] = -1;
            gic.disable(id);
        }
        used.decrementAndGet(cpu);
    }

    /**
     * Routes the SPI to the CPU ({@code gic_set_affinity}: one {@code GICD_ITARGETSR} bit) and returns
     * (MSI_SETSPI_NS, SPI): the same message on every CPU. A block's members all return its first SPI. An SPI held
     * off by its CPU going offline is enabled again on its new CPU unless masked, so what is pending follows.
     */
    @Override
    public MsiMsg activate(ParentIrq irq, int cpu, int id) {
        checkCpu(cpu);
        if (owners.spi(irq) != id) {
            throw new IllegalStateException("irq " + irq.irq() + " does not own SPI " + id);
        }
        int offset = id - first;
        gic.route(id, cpu);
        routed[offset] = cpu;
        heldOff[offset] = !online.get(cpu);
        apply(offset);
        int data = irq.device().blockSize() > 1 ? id - irq.index() : id; // the device adds its vector number
        return new MsiMsg((int) setSpi, (int) (setSpi >>> 32), data);
    }

    /** Interrupts being freed: disabled in the distributor before their SPIs go back. */
    @Override
    public void deactivate(List<? extends ParentIrq> irqs) {
        for (ParentIrq irq : irqs) {
            int spi = owners.spi(irq);
            if (spi >= 0) {
                masked[spi - first] = true;
                apply(spi - first);
            }
        }
    }

    /** {@code GICD_ICENABLER}: what is raised now stays pending in the distributor. */
    @Override
    public void mask(ParentIrq irq) {
        int spi = owners.spi(irq);
        if (spi >= 0) {
            masked[spi - first] = true;
            apply(spi - first);
        }
    }

    /** {@code GICD_ISENABLER}: a pending SPI is signalled once, to the CPU it is routed to. */
    @Override
    public void unmask(ParentIrq irq) {
        int spi = owners.spi(irq);
        if (spi >= 0) {
            masked[spi - first] = false;
            apply(spi - first);
        }
    }

    /** The dying CPU takes no new target; its SPIs are held off in the distributor until they move. */
    @Override
    public void cpuOffline(int cpu) {
        checkCpu(cpu);
        online.clear(cpu);
        for (int offset = 0; offset < count; offset++) {
            if (routed[offset] == cpu) {
                heldOff[offset] = true;
                apply(offset);
            }
        }
    }

    /** SPIs still routed to the CPU (none could move) are enabled again; pending ones are signalled once. */
    @Override
    public void cpuOnline(int cpu) {
        checkCpu(cpu);
        online.set(cpu);
        for (int offset = 0; offset < count; offset++) {
            if (routed[offset] == cpu && heldOff[offset]) {
                heldOff[offset] = false;
                apply(offset);
            }
        }
    }

    /** Enables an owned SPI that is neither masked nor held off, disables it otherwise. */
    private void apply(int offset) {
        int spi = first + offset;
        if (owners.owned(spi) && !masked[offset] && !heldOff[offset]) {
            gic.enable(spi);
        } else {
            gic.disable(spi);
        }
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (cpus - 1));
        }
    }
}
