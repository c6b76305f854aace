package org.msidomain.hw.internal.irqchip;

import org.msidomain.hw.internal.AtomicBits;
import org.msidomain.hw.irqchip.Imsic;

/**
 * The IMSIC's supervisor-level interrupt files, one per hart (CPU). A message sets an {@code eip} bit and, if the
 * identity's {@code eie} bit is set, delivers it and clears the bit again (the hart's claim through {@code stopei});
 * atomic bits only, no lock, no allocation.
 *
 * <p>Deviations: {@code eidelivery} is always on and {@code eithreshold} 0, so priorities play no part; the
 * big-endian {@code seteipnum_be} (offset 4) and guest files are not modelled; a delivered identity's {@code eip} is
 * cleared at once, where a hart would clear it when it claims.
 */
public final class SimImsic implements Imsic {

    public static final int DELIVERED = 1;
    public static final int PENDING = 2;
    public static final int RESERVED = 3;
    public static final int BEYOND = 4;

    private final long base;
    private final long stride;
    private final int identities;
    private final Cpus cpus;
    private final AtomicBits[] eie;
    private final AtomicBits[] eip;

    public SimImsic(long base, long stride, int identities, Cpus cpus) {
        this.base = base;
        this.stride = stride;
        this.identities = identities;
        this.cpus = cpus;
        eie = new AtomicBits[cpus.count()];
        eip = new AtomicBits[cpus.count()];
        for (int h = 0; h < eie.length; h++) {
            eie[h] = new AtomicBits(identities + 1);
            eip[h] = new AtomicBits(identities + 1);
        }
    }

    /** The hart whose file's seteipnum_le is at {@code address}, or -1. */
    public int hartAt(long address) {
        long offset = address - base;
        if (offset < 0 || offset % stride != 0 || offset / stride >= eie.length) {
            return -1;
        }
        return (int) (offset / stride);
    }

    /** A message write of {@code id} to hart {@code hart}'s seteipnum_le. Returns DELIVERED, PENDING, RESERVED or BEYOND. */
    public int signal(int hart, int id) {
        if (id == 0) {
            cpus.lostOne();
            return RESERVED;
        }
        if (id < 0 || id > identities) {
            cpus.lostOne();
            return BEYOND;
        }
        if (!eip[hart].set(id)) {
            cpus.merged(hart, id);
        }
        if (eie[hart].get(id) && eip[hart].testAndClear(id)) {
            cpus.deliver(hart, id);
            return DELIVERED;
        }
        return PENDING;
    }

    @Override
    public long base() {
        return base;
    }

    @Override
    public long stride() {
        return stride;
    }

    @Override
    public long fileAddress(int hart) {
        return base + hart(hart) * stride;
    }

    @Override
    public int identities() {
        return identities;
    }

    @Override
    public void setEnabled(int hart, int id, boolean on) {
        if (on) {
            eie[hart(hart)].set(identity(id));
            if (eip[hart].testAndClear(id)) {
                cpus.deliver(hart, id);
            }
        } else {
            eie[hart(hart)].testAndClear(identity(id));
        }
    }

    @Override
    public boolean enabled(int hart, int id) {
        return eie[hart(hart)].get(identity(id));
    }

    @Override
    public boolean pending(int hart, int id) {
        return eip[hart(hart)].get(identity(id));
    }

    @Override
    public void setPending(int hart, int id) {
        signal(hart(hart), identity(id));
    }

    @Override
    public boolean clearPending(int hart, int id) {
        return eip[hart(hart)].testAndClear(identity(id));
    }

    @Override
    public void seteipnum(int hart, int id) {
        signal(hart(hart), id);
    }

    private int hart(int hart) {
        if (hart < 0 || hart >= eie.length) {
            throw new IllegalArgumentException("hart " + hart + " out of range 0-" + (eie.length - 1));
        }
        return hart;
    }

    private int identity(int id) {
        if (id < 1 || id > identities) {
            throw new IllegalArgumentException("identity " + id + " out of range 1-" + identities);
        }
        return id;
    }

    /** Every identity disabled and not pending (a new domain takes over). */
    public void reset() {
        for (int h = 0; h < eie.length; h++) {
            eie[h].clearAll();
            eip[h].clearAll();
        }
    }
}
