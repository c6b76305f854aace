package org.msidomain.x86.internal;

import java.util.BitSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.InterruptRemapping;

/**
 * The interrupt-remapping parent domain (Linux drivers/iommu/intel/irq_remapping.c): allocates entries
 * of the remapping table, composes remappable-format messages (address 0xFEE, handle in bits 19:5 and
 * 2, format bit 4, SHV bit 3; data = sub-handle), and programs each entry with the vector, the x2APIC
 * destination and the source validation of {@link #sourceValidation}. Control path only.
 */
final class RemapTable {

    private final InterruptRemapping unit;
    private final BitSet used;

    RemapTable(InterruptRemapping unit) {
        this.unit = unit;
        this.used = new BitSet(unit.tableSize());
    }

    /** Allocates {@code count} consecutive entries aligned to {@code count} (a power of two). */
    int allocate(int count) {
        for (int base = 0; base + count <= unit.tableSize(); base += count) {
            int next = used.nextSetBit(base);
            if (next < 0 || next >= base + count) {
                used.set(base, base + count);
                return base;
            }
        }
        throw new IllegalStateException("the interrupt remapping table (" + unit.tableSize() + " entries) is full");
    }

    /** Clears entries and gives them back. */
    void free(int base, int count) {
        for (int i = base; i < base + count; i++) {
            unit.writeEntry(i, 0, 0);
        }
        used.clear(base, base + count);
        unit.invalidate();
    }

    /** The message a device stores: only the handle; vector and destination live in the entry. */
    static MsiMsg message(int handle) {
        int lo = X86Msi.BASE_ADDRESS_LO | (handle & 0x7FFF) << 5 | 0x10 | 0x08 | ((handle >>> 15) & 1) << 2;
        return new MsiMsg(lo, 0, 0);
    }

    /** SVT=1: verify the requester id against SID under the SQ mask (Linux SVT_VERIFY_SID_SQ). */
    static final int SVT_VERIFY_SID_SQ = 1;
    /** SQ=0: compare all 16 bits (SQ_ALL_16). */
    static final int SQ_ALL_16 = 0;
    /** SQ=3: compare bits 15:3, ignore the function (SQ_13_IGNORE_3). */
    static final int SQ_13_IGNORE_3 = 3;

    /**
     * The high qword of a source's entries (VT-d 9.10: SID 15:0, SQ 17:16, SVT 19:18), as Linux's
     * intel_irq_remapping_prepare_irte sets it: an HPET ({@code set_hpet_sid}) SVT=1 with SQ_13_IGNORE_3 and the
     * source id of its DMAR device scope, which the machine gives it as its requester id ("should really use
     * SQ_ALL_16. Some platforms are broken"); any other source ({@code set_msi_sid} for a PCI function, and a
     * platform device the same way) SVT=1, SQ=0 and its requester id. A source without an id gets SVT=0, no
     * validation, as Linux leaves the entry when {@code set_hpet_sid} finds no scope.
     */
    static long sourceValidation(String storageType, int requesterId) {
        if (requesterId < 0) {
            return 0;
        }
        int sq = "hpet".equals(storageType) ? SQ_13_IGNORE_3 : SQ_ALL_16;
        return (requesterId & 0xFFFF) | (long) sq << 16 | (long) SVT_VERIFY_SID_SQ << 18;
    }

    /** Writes an entry and invalidates the entry cache, so messages translated with the old entry are delivered. */
    void program(int index, int apicId, int vector, long sourceValidation) {
        long low = InterruptRemapping.PRESENT | (long) vector << 16 | (apicId & 0xFFFF_FFFFL) << 32;
        unit.writeEntry(index, low, sourceValidation);
        unit.invalidate();
    }
}
