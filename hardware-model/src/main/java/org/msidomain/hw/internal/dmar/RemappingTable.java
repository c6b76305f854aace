package org.msidomain.hw.internal.dmar;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.internal.InFlight;

/**
 * A DMAR unit's interrupt-remapping table and the translation of remappable-format messages (VT-d;
 * QEMU vtd_interrupt_remap_msi). A message that fails is dropped and recorded with the specification's
 * fault reason, and the unit raises its fault event interrupt.
 */
public final class RemappingTable implements InterruptRemapping {

    public static final int RESERVED_FIELD = 0x20;
    public static final int INDEX_BEYOND_TABLE = 0x21;
    public static final int NOT_PRESENT = 0x22;
    public static final int COMPATIBILITY_BLOCKED = 0x25;
    public static final int SOURCE_ID = 0x26;
    /** SQ masks for SVT=1: compare all 16 bits, ignore bit 2, bits 2:1, bits 2:0. */
    private static final int[] SQ_MASK = { 0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8 };

    /** A recorded remapping fault. */
    public record Fault(int reason, int index, int requesterId) {
    }

    /** Where a translated message goes. */
    public interface Target {
        void deliver(int apicId, int vector);
    }

    /** An IRTE's two halves, replaced as one: Linux updates a present IRTE with a 128-bit cmpxchg (modify_irte). */
    private record Entry(long low, long high) {
    }

    private static final Entry ZERO = new Entry(0, 0);

    private final AtomicReferenceArray<Entry> entries;
    /** The carrying unit's fault event (its event source 0), raised through the machine. */
    private final Runnable faultEvent;
    private final InFlight inFlight = new InFlight();
    private final List<Fault> faults = new ArrayList<>();

    /**
     * @param faultEvent raises the fault event interrupt of the unit that carries the table
     * @throws IllegalArgumentException a size that is not a power of two in 2-65536
     */
    public RemappingTable(int size, Runnable faultEvent) {
        if (Integer.bitCount(size) != 1 || size < 2 || size > 65536) {
            throw new IllegalArgumentException("an interrupt remapping table has 2^(S+1) entries, up to 65536, not " + size);
        }
        this.entries = new AtomicReferenceArray<>(size);
        for (int i = 0; i < size; i++) {
            entries.set(i, ZERO);
        }
        this.faultEvent = faultEvent;
    }

    @Override
    public int tableSize() {
        return entries.length();
    }

    @Override
    public void writeEntry(int index, long low, long high) {
        if (index < 0 || index >= tableSize()) {
            throw new IllegalArgumentException("IRTE " + index + " beyond the table of " + tableSize());
        }
        entries.set(index, low == 0 && high == 0 ? ZERO : new Entry(low, high)); // atomic: never half written
    }

    @Override
    public void invalidate() {
        inFlight.drain();
    }

    /** The faults recorded, oldest first. */
    public synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** A compatibility-format message while remapping is on: blocked (CFI clear). */
    public void compatibility(int requesterId) {
        fault(COMPATIBILITY_BLOCKED, -1, requesterId);
    }

    /** Translates a remappable-format message and delivers it, or records why not. Allocation-free on success. */
    public void remap(int addressLo, int addressHi, int data, int requesterId, Target target) {
        int phase = inFlight.begin();
        try {
            int index = ((addressLo >>> 5) & 0x7FFF) | (((addressLo >>> 2) & 1) << 15);
            if ((addressLo & 0x8) != 0) {
                index += data & 0xFFFF; // SHV: the sub-handle (multi-message MSI's vector number)
            }
            if (addressHi != 0 || (addressLo & 0x3) != 0) {
                fault(RESERVED_FIELD, index, requesterId);
                return;
            }
            if (index >= tableSize()) {
                fault(INDEX_BEYOND_TABLE, index, requesterId);
                return;
            }
            Entry entry = entries.get(index);
            long low = entry.low();
            long high = entry.high();
            if ((low & PRESENT) == 0) {
                fault(NOT_PRESENT, index, requesterId);
                return;
            }
            if (!sourceOk(high, requesterId)) {
                fault(SOURCE_ID, index, requesterId);
                return;
            }
            target.deliver((int) (low >>> 32), (int) (low >>> 16) & 0xFF);
        } finally {
            inFlight.end(phase);
        }
    }

    /**
     * SVT 0: anyone; 1: requester id under the SQ mask; 2: bus within [start, end]. A write without a requester
     * id (-1) passes only SVT 0: every write real hardware sees carries one, so no entry that validates its
     * source can match it (QEMU skips the check for such writes, which only its own emulation produces).
     */
    private static boolean sourceOk(long high, int requesterId) {
        int svt = (int) (high >>> 18) & 3;
        int sid = (int) high & 0xFFFF;
        if (svt == 0) {
            return true;
        }
        if (requesterId < 0) {
            return false;
        }
        if (svt == 1) {
            int mask = SQ_MASK[(int) (high >>> 16) & 3];
            return (requesterId & mask) == (sid & mask);
        }
        int bus = requesterId >>> 8;
        return svt == 2 && bus >= (sid & 0xFF) && bus <= (sid >>> 8);
    }

    private void fault(int reason, int index, int requesterId) {
        synchronized (this) {
            faults.add(new Fault(reason, index, requesterId));
        }
        faultEvent.run(); // the fault event interrupt
    }
}
