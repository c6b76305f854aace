package org.msidomain.core.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The irq descriptors by irq number (Linux's sparse irq table with its {@code allocated_irqs} bitmap):
 * a freed number is used again, lowest first, so numbers stay small however long the platform runs.
 * Written under the control lock; read without a lock.
 */
final class IrqTable {

    private final int first;
    private final BitSet used = new BitSet();
    /** No number below this one is free (keeps allocation O(1) when numbers are taken in order). */
    private int lowestFree;
    private volatile AtomicReferenceArray<IrqDesc> slots = new AtomicReferenceArray<>(256);

    /** @param first the lowest irq number handed out (Linux keeps the legacy ones below it) */
    IrqTable(int first) {
        this.first = first;
        this.lowestFree = first;
    }

    /** Reserves the lowest free irq number. */
    int allocate() {
        int irq = used.nextClearBit(lowestFree);
        used.set(irq);
        lowestFree = irq + 1;
        return irq;
    }

    /** Makes a descriptor findable by its number, which {@link #allocate} gave. */
    void put(IrqDesc desc) {
        AtomicReferenceArray<IrqDesc> s = slots;
        if (desc.irq >= s.length()) {
            AtomicReferenceArray<IrqDesc> grown = new AtomicReferenceArray<>(Math.max(s.length() * 2, desc.irq + 1));
            for (int i = 0; i < s.length(); i++) {
                grown.set(i, s.get(i));
            }
            slots = grown;
            s = grown;
        }
        s.set(desc.irq, desc);
    }

    /** Forgets a descriptor and frees its number. */
    void remove(int irq) {
        AtomicReferenceArray<IrqDesc> s = slots;
        if (irq >= first && irq < s.length()) {
            s.set(irq, null);
        }
        if (irq >= first && used.get(irq)) {
            used.clear(irq);
            lowestFree = Math.min(lowestFree, irq);
        }
    }

    IrqDesc get(int irq) {
        AtomicReferenceArray<IrqDesc> s = slots;
        return irq >= 0 && irq < s.length() ? s.get(irq) : null;
    }

    /** Every descriptor, by irq number. */
    List<IrqDesc> values() {
        AtomicReferenceArray<IrqDesc> s = slots;
        List<IrqDesc> out = new ArrayList<>();
        for (int i = first; i < s.length(); i++) {
            IrqDesc d = s.get(i);
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }
}
