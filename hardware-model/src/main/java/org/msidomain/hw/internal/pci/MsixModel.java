package org.msidomain.hw.internal.pci;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.internal.AtomicBits;
import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.internal.InterruptFabric;

/**
 * The device side of MSI-X (PCIe r6 §6.1.4, QEMU hw/pci/msix.c): the table of {address lo, address hi,
 * data, vector control} entries and the Pending Bit Array in the BARs the capability names. Entries
 * reset masked. A raise on a masked vector (entry mask or Function Mask) sets its PBA bit instead of
 * sending; the vector becoming unmasked with its bit set sends the message once, with the entry's
 * current content.
 */
public final class MsixModel implements PciConfig.WriteHook {

    static final int ID = 0x11;
    private static final int ENABLE = 1 << 15;
    private static final int FUNCTION_MASK = 1 << 14;

    private final PciConfig config;
    private final int cap;
    private final int size;
    private final int tableBar;
    private final long tableOffset;
    private final int pbaBar;
    private final long pbaOffset;
    private final AtomicIntegerArray table;
    /** Bumped by every table write, so a raise never combines fields from either side of a write. */
    private final AtomicIntegerArray writes;
    private final AtomicBits pba;
    /** Raises merged with one pending, by entry. */
    private final java.util.concurrent.atomic.AtomicLongArray merged;
    private final InFlight inFlight;
    private final InterruptFabric fabric;
    private final int requesterId;
    /** The function's id: the writer its messages name for a CPU's IRR accounts. */
    private final String device;

    MsixModel(PciConfig config, int cap, InFlight inFlight, InterruptFabric fabric, int requesterId, String device) {
        this.config = config;
        this.cap = cap;
        this.inFlight = inFlight;
        this.fabric = fabric;
        this.requesterId = requesterId;
        this.device = device;
        size = (config.read16(cap + 2) & 0x7FF) + 1;
        int t = config.read32(cap + 4);
        int p = config.read32(cap + 8);
        tableBar = t & 7;
        tableOffset = t & 0xFFFF_FFF8L;
        pbaBar = p & 7;
        pbaOffset = p & 0xFFFF_FFF8L;
        table = new AtomicIntegerArray(size * 4);
        writes = new AtomicIntegerArray(size);
        pba = new AtomicBits(size);
        merged = new java.util.concurrent.atomic.AtomicLongArray(size);
        for (int k = 0; k < size; k++) {
            table.set(k * 4 + 3, 1);
        }
        config.allowWrites(cap, (ENABLE | FUNCTION_MASK) << 16);
        config.addHook(this);
    }

    /** Raises of entry {@code k} that merged with one pending. */
    long merged(int k) {
        return k >= 0 && k < size ? merged.get(k) : 0;
    }

    public int size() {
        return size;
    }

    public int capability() {
        return cap;
    }

    int tableBar() {
        return tableBar;
    }

    long tableOffset() {
        return tableOffset;
    }

    int pbaBar() {
        return pbaBar;
    }

    long pbaOffset() {
        return pbaOffset;
    }

    long tableBytes() {
        return size * 16L;
    }

    long pbaBytes() {
        return pba.words() * 8L;
    }

    public boolean enabled() {
        return (control() & ENABLE) != 0;
    }

    private int control() {
        return config.peek16(cap + 2);
    }

    private boolean masked(int k) {
        int ctl = control();
        return (ctl & ENABLE) == 0 || (ctl & FUNCTION_MASK) != 0 || (table.get(k * 4 + 3) & 1) != 0;
    }

    /** Whether vector {@code k}'s pending bit is set. */
    public boolean pending(int k) {
        return pba.get(k);
    }

    /** The device raises vector {@code k}. */
    void raise(int k) {
        if (k < 0 || k >= size) {
            throw new IllegalArgumentException("MSI-X vector " + k + " beyond the table size " + size);
        }
        if (masked(k)) {
            setPending(k);
            // An unmask may have run between the check and the latch: then nobody else will send it.
            if (!masked(k) && clearPending(k)) {
                send(k);
            }
            return;
        }
        send(k);
    }

    /** The device's condition for vector {@code k} was serviced (polled) while masked: no stale message. */
    public void service(int k) {
        clearPending(k);
    }

    private void send(int k) {
        if (!config.busMaster()) {
            fabric.lostOne(); // no Bus Master Enable: the write never leaves the function (PciConfig#busMaster)
            return;
        }
        int base = k * 4;
        for (;;) {
            int w = writes.get(k);
            int lo = table.get(base);
            int hi = table.get(base + 1);
            int data = table.get(base + 2);
            if (writes.get(k) == w) {
                fabric.write(lo, hi, data, requesterId, device, PciFunction.STORAGE_TYPE, k);
                return;
            }
        }
    }

    private void setPending(int k) {
        if (!pba.set(k)) {
            fabric.coalescedOne(); // a raise while already pending merges with it
            merged.incrementAndGet(k);
        }
    }

    private boolean clearPending(int k) {
        return pba.testAndClear(k);
    }

    /** Sends what became unmasked and is pending (QEMU's msix_handle_mask_update). */
    private void releasePending(int k) {
        // pending first: almost never set, and it spares the mask reads (a raise that latches after this
        // look sees the unmask in its own second look and sends itself)
        if (pba.get(k) && !masked(k) && clearPending(k)) {
            int phase = inFlight.begin();
            try {
                send(k);
            } finally {
                inFlight.end(phase);
            }
        }
    }

    @Override
    public void written(int dwordOffset, int before, int after) {
        if (dwordOffset == cap && before != after) {
            for (int w = 0; w < pba.words(); w++) {
                for (long bits = pba.word(w); bits != 0; bits &= bits - 1) { // only the pending vectors
                    releasePending(w * 64 + Long.numberOfTrailingZeros(bits));
                }
            }
        }
    }

    /** A function reset (D3hot to D0 without No_Soft_Reset): disabled, every entry masked and zero, PBA clear. */
    void reset() {
        config.deviceUpdate(cap, 0, (ENABLE | FUNCTION_MASK) << 16);
        for (int k = 0; k < size; k++) {
            table.set(k * 4, 0);
            table.set(k * 4 + 1, 0);
            table.set(k * 4 + 2, 0);
            table.set(k * 4 + 3, 1);
            writes.incrementAndGet(k);
        }
        pba.clearAll();
    }

    // ---- MMIO, called by the BAR regions; offsets are relative to the table / PBA start ----

    int readTable(long offset) { // a CPU read: flushed by the machine
        return table.get((int) (offset >> 2));
    }

    void writeTable(long offset, int value) {
        inFlight.drain(); // a raise under way finishes with the entry it read
        int i = (int) (offset >> 2);
        int k = i >> 2;
        if ((i & 3) == 3) {
            value &= 0xFFFF_0001; // steering tag and mask bit; bits 15:1 are reserved
        }
        table.set(i, value);
        writes.incrementAndGet(k);
        if ((i & 3) == 3) {
            releasePending(k);
        }
    }

    int readPba(long offset) { // a CPU read: flushed by the machine
        long q = pba.word((int) (offset >> 3));
        return (offset & 4) == 0 ? (int) q : (int) (q >>> 32);
    }
}
