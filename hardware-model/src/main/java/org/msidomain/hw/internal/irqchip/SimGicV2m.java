package org.msidomain.hw.internal.irqchip;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.internal.AtomicBits;
import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.irqchip.GicV2m;

/**
 * The GICv2m frame and the distributor's SPIs. Raising an SPI reads and sets atomic bits only (no lock, no
 * allocation). SPIs are edge-triggered; a disabled one is held pending in the distributor, whichever CPU it is
 * routed to, and signalled to its target when enabled.
 *
 * <p>Deviations: a route names one CPU (Linux's {@code gic_set_affinity} writes one bit of {@code GICD_ITARGETSR});
 * priorities and groups are not modelled; a SETSPI write's data is masked to 10 bits as QEMU does. A route returns
 * once every SPI raised before it was signalled (to the old target) or left pending: the domain frees the old CPU's
 * slot after a move, where Linux's global irq descriptor would still take a late arrival there.
 */
public final class SimGicV2m implements GicV2m {

    public static final int DELIVERED = 1;
    public static final int PENDING = 2;
    public static final int OUTSIDE = 3;
    /** A GICv2 distributor's GICD_ITARGETSR bytes address 8 CPUs. */
    public static final int MAX_CPUS = 8;

    private final long frame;
    private final int spiBase;
    private final int spiCount;
    private final Cpus cpus;
    private final AtomicBits enabled = new AtomicBits(SPI_LIMIT);
    private final AtomicBits pending = new AtomicBits(SPI_LIMIT);
    private final AtomicIntegerArray targets = new AtomicIntegerArray(SPI_LIMIT);
    /** SETSPI writes under way, drained by a route. */
    private final InFlight raising = new InFlight();

    public SimGicV2m(long frame, int spiBase, int spiCount, Cpus cpus) {
        if (cpus.count() > MAX_CPUS) {
            throw new IllegalArgumentException("a GICv2 distributor routes to at most " + MAX_CPUS + " CPUs, not " + cpus.count());
        }
        this.frame = frame;
        this.spiBase = spiBase;
        this.spiCount = spiCount;
        this.cpus = cpus;
    }

    /** A write of {@code data} to MSI_SETSPI_NS; allocation- and lock-free. Returns DELIVERED, PENDING or OUTSIDE. */
    public int setSpi(int data) {
        int intid = data & 0x3FF;
        if (intid < spiBase || intid >= spiBase + spiCount) {
            cpus.lostOne();
            return OUTSIDE;
        }
        int phase = raising.begin();
        try {
            return raise(intid);
        } finally {
            raising.end(phase);
        }
    }

    private int raise(int intid) {
        if (enabled.get(intid)) {
            cpus.deliver(targets.get(intid), intid);
            return DELIVERED;
        }
        if (!pending.set(intid)) {
            cpus.merged(targets.get(intid), intid);
        }
        if (enabled.get(intid) && pending.testAndClear(intid)) { // enabled meanwhile
            cpus.deliver(targets.get(intid), intid);
            return DELIVERED;
        }
        return PENDING;
    }

    @Override
    public long frameAddress() {
        return frame;
    }

    @Override
    public int typer() {
        return spiBase << 16 | spiCount;
    }

    @Override
    public long setSpiAddress() {
        return frame + MSI_SETSPI_NS;
    }

    @Override
    public void enable(int intid) {
        enabled.set(spi(intid));
        if (pending.testAndClear(intid)) {
            cpus.deliver(targets.get(intid), intid);
        }
    }

    @Override
    public void disable(int intid) {
        enabled.testAndClear(spi(intid));
    }

    @Override
    public boolean enabled(int intid) {
        return enabled.get(spi(intid));
    }

    @Override
    public void route(int intid, int cpu) {
        if (cpu < 0 || cpu >= cpus.count()) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (cpus.count() - 1));
        }
        targets.set(spi(intid), cpu);
        raising.drain(); // a raise that read the old target has been signalled there
    }

    @Override
    public int target(int intid) {
        return targets.get(spi(intid));
    }

    @Override
    public boolean pending(int intid) {
        return pending.get(spi(intid));
    }

    private static int spi(int intid) {
        if (intid < SPI_BASE || intid >= SPI_LIMIT) {
            throw new IllegalArgumentException("INTID " + intid + " is not an SPI (" + SPI_BASE + "-" + (SPI_LIMIT - 1) + ")");
        }
        return intid;
    }

    /** Every SPI disabled, not pending and routed to CPU 0 (a new domain takes over). */
    public void reset() {
        enabled.clearAll();
        pending.clearAll();
        for (int i = 0; i < SPI_LIMIT; i++) {
            targets.set(i, 0);
        }
    }
}
