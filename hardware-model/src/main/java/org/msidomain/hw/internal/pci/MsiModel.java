package org.msidomain.hw.internal.pci;

import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.internal.InterruptFabric;

/**
 * The device side of PCI MSI (PCIe r6 §6.1.4, QEMU hw/pci/msi.c): one address/data pair for a block
 * of 2^MME vectors, vector k sent with the data's low MME bits replaced by k; with per-vector masking
 * (PVM) a raise on a masked vector sets its pending bit and the unmask sends it once; without PVM every
 * raise is sent. Message Enable Count above the capable count is clamped, as QEMU does.
 */
public final class MsiModel implements PciConfig.WriteHook {

    static final int ID = 0x05;
    private static final int ENABLE = 1;
    private static final int MME = 0x70;
    private static final int IS64 = 0x80;
    private static final int PVM = 0x100;

    private final PciConfig config;
    private final int cap;
    private final boolean is64;
    private final boolean maskable;
    private final int dataOffset;
    private final int maskOffset;
    private final int capable;
    private final InFlight inFlight;
    private final InterruptFabric fabric;
    private final int requesterId;
    /** The function's id: the writer its messages name for a CPU's IRR accounts. */
    private final String device;
    /** Raises merged with one pending, by vector of the block. */
    private final java.util.concurrent.atomic.AtomicLongArray merged = new java.util.concurrent.atomic.AtomicLongArray(32);

    MsiModel(PciConfig config, int cap, InFlight inFlight, InterruptFabric fabric, int requesterId, String device) {
        this.config = config;
        this.cap = cap;
        this.inFlight = inFlight;
        this.fabric = fabric;
        this.requesterId = requesterId;
        this.device = device;
        int ctrl = config.read16(cap + 2);
        is64 = (ctrl & IS64) != 0;
        maskable = (ctrl & PVM) != 0;
        capable = 1 << Math.min(5, (ctrl >> 1) & 7);
        dataOffset = cap + (is64 ? 0x0C : 0x08);
        maskOffset = cap + (is64 ? 0x10 : 0x0C);
        config.allowWrites(cap, (ENABLE | MME) << 16);
        config.allowWrites(cap + 4, 0xFFFF_FFFC);
        if (is64) {
            config.allowWrites(cap + 8, 0xFFFF_FFFF);
        }
        config.allowWrites(dataOffset, 0xFFFF);
        if (maskable && maskOffset + 8 <= config.size()) {
            config.allowWrites(maskOffset, 0xFFFF_FFFF);
        }
        config.addHook(this);
    }

    /**
     * Where the registers the model writes end: the message data, at 0x08 in the 32-bit layout and at 0x0C in
     * the 64-bit one (the mask and pending registers after it are modelled only where the dump holds them).
     */
    static int registersEnd(PciConfig config, int cap) {
        if (cap + 4 > config.size()) {
            return cap + 4;
        }
        boolean is64 = (config.read16(cap + 2) & IS64) != 0;
        return cap + (is64 ? 0x0E : 0x0A);
    }

    public int capability() {
        return cap;
    }

    public boolean is64() {
        return is64;
    }

    public boolean maskable() {
        return maskable;
    }

    public boolean enabled() {
        return (config.peek16(cap + 2) & ENABLE) != 0;
    }

    /** The number of vectors software enabled (2^MME, clamped to the capable count). */
    public int enabledVectors() {
        return Math.min(capable, 1 << ((config.peek16(cap + 2) & MME) >> 4));
    }

    public boolean pending(int k) {
        return maskable && (config.peek32(maskOffset + 4) & (1 << k)) != 0;
    }

    private boolean masked(int k) {
        return maskable && (config.peek32(maskOffset) & (1 << k)) != 0;
    }

    /** Raises of vector {@code k} that merged with one pending. */
    long merged(int k) {
        return k >= 0 && k < 32 ? merged.get(k) : 0;
    }

    /** The device raises vector {@code k} of its block. */
    void raise(int k) {
        int n = enabledVectors();
        if (k < 0 || k >= n) {
            throw new IllegalArgumentException("MSI vector " + k + " beyond the " + n + " enabled");
        }
        if (masked(k)) {
            if ((config.deviceUpdate(maskOffset + 4, 1 << k, 0) & (1 << k)) != 0) {
                fabric.coalescedOne(); // already pending: merges with it
                merged.incrementAndGet(k);
            }
            if (!masked(k) && clearPending(k)) {
                send(k, n);
            }
            return;
        }
        send(k, n);
    }

    /** A function reset: MSI disabled, Multiple Message Enable 0, message, mask and pending bits zero. */
    void reset() {
        config.deviceUpdate(cap, 0, (ENABLE | MME) << 16);
        config.deviceUpdate(cap + 4, 0, -1);
        if (is64) {
            config.deviceUpdate(cap + 8, 0, -1);
        }
        config.deviceUpdate(dataOffset, 0, 0xFFFF);
        if (maskable && maskOffset + 8 <= config.size()) {
            config.deviceUpdate(maskOffset, 0, -1);
            config.deviceUpdate(maskOffset + 4, 0, -1);
        }
    }

    /** The device's condition for vector {@code k} was serviced while masked. */
    public void service(int k) {
        clearPending(k);
    }

    private boolean clearPending(int k) {
        return maskable && (config.deviceUpdate(maskOffset + 4, 0, 1 << k) & (1 << k)) != 0;
    }

    private void send(int k, int n) {
        if (!config.busMaster()) {
            fabric.lostOne(); // the write never leaves the function; the pending bit is already spent
            return;
        }
        int lo = config.peek32(cap + 4);
        int hi = is64 ? config.peek32(cap + 8) : 0;
        int data = config.peek16(dataOffset);
        fabric.write(lo, hi, (data & ~(n - 1)) | k, requesterId, device, PciFunction.STORAGE_TYPE, k);
    }

    @Override
    public void written(int dwordOffset, int before, int after) {
        if (!maskable || before == after) {
            return;
        }
        if (dwordOffset == maskOffset || dwordOffset == cap) {
            // Unmasked (or just enabled) vectors with their pending bit set send once.
            int n = enabledVectors();
            for (int k = 0; k < n && enabled(); k++) {
                if (!masked(k) && clearPending(k)) {
                    int phase = inFlight.begin();
                    try {
                        send(k, n);
                    } finally {
                        inFlight.end(phase);
                    }
                }
            }
        }
    }
}
