package org.msidomain.hw.internal.hpet;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.msidomain.hw.internal.BootQuiesce;
import org.msidomain.hw.internal.MachinePort;
import org.msidomain.hw.internal.RegisterDevice;

/**
 * An HPET block (IA-PC HPET 1.0a; QEMU hw/timer/hpet.c): N timers, some able to deliver by FSB message.
 * A comparator match ({@link #raise}) sends the timer's FSB route message (data in the low dword,
 * address in the high dword) only while the block and the timer's interrupt are enabled and FSB
 * delivery is on; a match while disabled is lost, as FSB/edge delivery has no pending latch.
 */
public final class HpetBlock extends RegisterDevice implements BootQuiesce {

    public static final String STORAGE_TYPE = "hpet";
    static final int GENERAL_CONFIG = 0x010;
    static final int ENABLE_CNF = 1;
    static final long INT_ENB = 1 << 2;
    static final long LEVEL = 1 << 1;
    static final long FSB_EN = 1 << 14;
    static final long FSB_CAP = 1 << 15;
    private static final long WRITABLE = 0x7F4E; // TYPE, INT_ENB, PERIODIC, VAL_SET, 32MODE, INT_ROUTE, FSB_EN
    private static final int PERIOD_FS = 69_841_279; // 14.318 MHz

    private final int timers;
    private final boolean[] fsbCapable;
    private volatile int generalConfig;
    private final AtomicLongArray config;
    private final AtomicLongArray comparator;
    private final AtomicLongArray route;
    private final AtomicLong lostWhileDisabled = new AtomicLong();

    public HpetBlock(String id, int timers, boolean[] fsbCapable, MachinePort port) {
        super(id, STORAGE_TYPE, Map.of("timers", String.valueOf(timers)), port);
        if (timers < 3 || timers > 32 || fsbCapable.length != timers) {
            throw new IllegalArgumentException("an HPET has 3-32 timers, not " + timers);
        }
        this.timers = timers;
        this.fsbCapable = fsbCapable.clone();
        config = new AtomicLongArray(timers);
        comparator = new AtomicLongArray(timers);
        route = new AtomicLongArray(timers);
        for (int n = 0; n < timers; n++) {
            config.set(n, 0x30L | (fsbCapable[n] ? FSB_CAP : 0) | (0x00F0_0000L << 32)); // 64-bit, periodic capable
        }
    }

    public int timers() {
        return timers;
    }

    /** Comparator matches that sent nothing because the timer (or the block) was disabled. */
    public long lostWhileDisabled() {
        return lostWhileDisabled.get();
    }

    @Override
    public long size() {
        return 0x100 + 0x20L * timers;
    }

    @Override
    protected int readRegister(long offset) {
        if (offset == 0x000) {
            return 0x01 | (timers - 1) << 8 | 1 << 13 | 0x8086 << 16; // rev 1, NUM_TIM_CAP, COUNT_SIZE_CAP
        }
        if (offset == 0x004) {
            return PERIOD_FS;
        }
        if (offset == GENERAL_CONFIG) {
            return generalConfig;
        }
        if (offset < 0x100) {
            return 0;
        }
        int n = (int) ((offset - 0x100) / 0x20);
        return switch ((int) ((offset - 0x100) % 0x20)) {
            case 0x00 -> (int) config.get(n);
            case 0x04 -> (int) (config.get(n) >>> 32);
            case 0x08 -> (int) comparator.get(n);
            case 0x0C -> (int) (comparator.get(n) >>> 32);
            case 0x10 -> (int) route.get(n);
            case 0x14 -> (int) (route.get(n) >>> 32);
            default -> 0;
        };
    }

    @Override
    protected void writeRegister(long offset, int value) {
        if (offset == GENERAL_CONFIG) {
            generalConfig = value & 0x3;
            return;
        }
        if (offset < 0x100) {
            return;
        }
        int n = (int) ((offset - 0x100) / 0x20);
        switch ((int) ((offset - 0x100) % 0x20)) {
            case 0x00 -> {
                long writable = WRITABLE & (fsbCapable[n] ? ~0L : ~FSB_EN);
                long v = value & 0xFFFF_FFFFL;
                config.updateAndGet(n, c -> (c & ~writable) | (v & writable));
            }
            case 0x08 -> comparator.updateAndGet(n, c -> (c & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL));
            case 0x0C -> comparator.updateAndGet(n, c -> (c & 0xFFFF_FFFFL) | ((long) value << 32));
            case 0x10 -> route.updateAndGet(n, r -> (r & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL));
            case 0x14 -> route.updateAndGet(n, r -> (r & 0xFFFF_FFFFL) | ((long) value << 32));
            default -> {
                // read-only or reserved
            }
        }
    }

    /**
     * Linux's hpet_enable at boot: the counter stopped (ENABLE_CNF and LEG_RT_CNF clear) and every timer's
     * interrupt, level mode and FSB delivery turned off (HPET_TN_ENABLE, HPET_TN_LEVEL, HPET_TN_FSB).
     */
    @Override
    public void quiesce() {
        write32(GENERAL_CONFIG, read32(GENERAL_CONFIG) & ~0x3);
        for (int n = 0; n < timers; n++) {
            long cfg = 0x100 + 0x20L * n;
            write32(cfg, read32(cfg) & ~(int) (INT_ENB | LEVEL | FSB_EN));
        }
    }

    /** Timer {@code n}'s comparator matches. */
    /** A timer never merges at the source: an interrupt it cannot send is lost (the HPET's declared loss). */
    @Override
    public long merged(String storageType, int index) {
        return storageType.equals(storageType()) ? 0 : -1;
    }

    @Override
    protected void fire(int n) {
        checkIndex(n, timers, "timer");
        long c = config.get(n);
        if ((generalConfig & ENABLE_CNF) == 0 || (c & INT_ENB) == 0 || (c & FSB_EN) == 0) {
            lostWhileDisabled.incrementAndGet();
            return;
        }
        long r = route.get(n);
        fabric.write((int) (r >>> 32), 0, (int) r, requesterId(), id(), STORAGE_TYPE, n);
    }
}
