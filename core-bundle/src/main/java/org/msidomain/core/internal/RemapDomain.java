package org.msidomain.core.internal;

import java.util.BitSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.InterruptRemapping;

/**
 * The interrupt-remapping parent domain (Linux drivers/iommu/intel/irq_remapping.c): allocates entries
 * of the remapping table, composes remappable-format messages (address 0xFEE, handle in bits 19:5 and
 * 2, format bit 4, SHV bit 3; data = sub-handle), and programs each entry with the vector, the x2APIC
 * destination and the device's requester id for source validation (SVT=1, SQ=0: all 16 bits). Control
 * path only.
 */
final class RemapDomain {

    private final InterruptRemapping unit;
    private final BitSet used;

    RemapDomain(InterruptRemapping unit) {
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

    /** Writes an entry and invalidates the entry cache, so messages translated with the old entry are delivered. */
    void program(int index, int apicId, int vector, int requesterId) {
        long low = InterruptRemapping.PRESENT | (long) vector << 16 | (apicId & 0xFFFF_FFFFL) << 32;
        long high = requesterId < 0 ? 0 : (requesterId & 0xFFFF) | 1L << 18;
        unit.writeEntry(index, low, high);
        unit.invalidate();
    }
}
