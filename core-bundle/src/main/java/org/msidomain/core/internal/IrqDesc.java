package org.msidomain.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

import org.msidomain.api.IrqHandler;
import org.msidomain.api.MsiMsg;

/**
 * One interrupt: Linux's {@code irq_desc} and {@code msi_desc} in one object. The control fields are
 * written only under the domain's control lock; the hot path reads them through volatiles.
 */
final class IrqDesc implements org.msidomain.parent.ParentIrq {

    private static final VarHandle PENDING;
    private static final VarHandle MERGED;
    private static final VarHandle UNHANDLED;


    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(IrqDesc.class, "pending", int.class);
            MERGED = MethodHandles.lookup().findVarHandle(IrqDesc.class, "merged", long.class);
            UNHANDLED = MethodHandles.lookup().findVarHandle(IrqDesc.class, "unhandled", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int irq;
    final DeviceState device;
    final int index;
    /**
     * For the marker of a vector a non-maskable move borrows on the old CPU (Linux's VECTOR_RETRIGGERED): the
     * interrupt moving; null for an interrupt.
     */
    final IrqDesc retriggerOf;
    /** This interrupt's marker, made on its first two-step move. Control path only. */
    private IrqDesc marker;
    /** Messages of this interrupt merged with one pending: held in the domain, or in a CPU's IRR. */
    @SuppressWarnings("unused")
    private volatile long merged;
    /** Messages of another interrupt delivered to this one's handler (a two-step move's interim vector). */
    @SuppressWarnings("unused")
    private volatile long unhandled;

    /** Where the interrupt is steered now. */
    volatile int cpu;
    volatile int vector;
    /**
     * The affinity mask (Linux's {@code smp_affinity}); null: every CPU, Linux's default. Replaced whole, never
     * changed in place: queries read it without the lock.
     */
    volatile java.util.BitSet affinity;
    /**
     * A mask that excludes the current CPU, set while no provider could write the message (Linux's
     * {@code pending_mask}): applied at restore, shown meanwhile; null if none.
     */
    volatile java.util.BitSet pendingAffinity;

    private volatile MsiMsg msg = MsiMsg.ZERO;
    /** What the driver asked for. */
    volatile boolean masked;
    /** Whether the storage was told to mask. */
    volatile boolean sourceMasked;
    /** Whether arriving messages are held in the core (mask at the destination, Linux lazy disable). */
    volatile boolean parentMasked;
    /** 1 while a message that arrived masked at the destination waits for unmask (IRQS_PENDING). */
    @SuppressWarnings("unused")
    private volatile int pending;
    int blockSize = 1;
    /**
     * Reservation mode (x86): activated with the shared reservation vector and masked at the source until
     * its handler is attached; it owns no vector and no slot meanwhile.
     */
    volatile boolean reserved;
    /**
     * Whether the interrupt is started (Linux {@code IRQD_IRQ_STARTED}): from the handler's attach
     * ({@code request_irq} -> {@code irq_startup}) to its removal ({@code free_irq} -> {@code irq_shutdown}).
     * Until then maskable storage stays masked at the source and the core holds arrivals pending.
     */
    volatile boolean started;
    /** A managed interrupt (Linux's {@code IRQD_AFFINITY_MANAGED}): its affinity is its share of a spread, fixed. */
    volatile boolean managed;
    /**
     * A managed interrupt shut down because no CPU of its mask is online ({@code IRQD_MANAGED_SHUTDOWN}): masked at
     * the source, no vector (held as reserved), started again when a CPU of its mask comes online.
     */
    volatile boolean managedDown;

    private volatile IrqHandler handler;
    private volatile String action = "";

    /** Counts from (CPU, vector) slots the interrupt has left, by CPU. */
    private long[] history;

    IrqDesc(int irq, DeviceState device, int index) {
        this.irq = irq;
        this.device = device;
        this.index = index;
        this.retriggerOf = null;
    }

    private IrqDesc(IrqDesc owner) {
        this.irq = -1;
        this.device = null;
        this.index = -1;
        this.retriggerOf = owner;
    }

    /** The marker a two-step move installs on the old CPU's borrowed vector. Control path only. */
    IrqDesc retriggerMarker() {
        if (marker == null) {
            marker = new IrqDesc(this);
        }
        return marker;
    }

    /** One more message merged with a pending one (hot path: no lock, no allocation). */
    void countMerge() {
        MERGED.getAndAdd(this, 1L);
    }

    long merged() {
        return (long) MERGED.getVolatile(this);
    }

    /** One more message of another interrupt that reaches (or reached) this one's handler. Control path. */
    void countUnhandled() {
        UNHANDLED.getAndAdd(this, 1L);
    }

    long unhandled() {
        return (long) UNHANDLED.getVolatile(this);
    }

    /** The hot path: a message reached {@code cpu} on this interrupt's vector. */
    void deliver(int onCpu, AtomicLongArray slotCounts, int onVector) {
        if (parentMasked) {
            if ((int) PENDING.getAndSet(this, 1) == 1) {
                device.merged.increment(); // IRQS_PENDING is one flag: this arrival merges with the pending one
                countMerge();
            }
            // Re-check: an unmask that ran between the two reads either sees pending or we see it unmasked.
            if (parentMasked || !PENDING.compareAndSet(this, 1, 0)) {
                return;
            }
        }
        slotCounts.incrementAndGet(onVector);
        IrqHandler h = handler;
        if (h != null) {
            h.handle(irq, onCpu);
        }
    }

    /** Takes the pending message a destination mask held back; true if there was one. */
    boolean takePending() {
        return PENDING.compareAndSet(this, 1, 0);
    }

    boolean isPending() {
        return (int) PENDING.getVolatile(this) == 1;
    }

    void setMsg(MsiMsg msg) {
        this.msg = msg;
    }

    void setHandler(String name, IrqHandler handler) {
        this.action = name;
        this.handler = handler;
    }

    IrqHandler handler() {
        return handler;
    }

    boolean hasHandler() {
        return handler != null;
    }

    String action() {
        return action;
    }

    /** Records the count of a slot the interrupt leaves. Control path only. */
    void fold(int onCpu, long count, int cpus) {
        if (count == 0) {
            return;
        }
        if (history == null) {
            history = new long[cpus];
        }
        history[onCpu] += count;
    }

    long history(int onCpu) {
        long[] h = history;
        return h == null ? 0 : h[onCpu];
    }

    long[] historyCopy(int cpus) {
        long[] h = history;
        return h == null ? new long[cpus] : Arrays.copyOf(h, cpus);
    }

    @Override
    public org.msidomain.parent.ParentDevice device() {
        return device;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int irq() {
        return irq;
    }

    @Override
    public MsiMsg msg() {
        return msg;
    }

    @Override
    public boolean masked() {
        return sourceMasked;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }
}
