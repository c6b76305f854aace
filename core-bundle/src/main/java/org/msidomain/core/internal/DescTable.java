package org.msidomain.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A device's descriptors by MSI index (Linux's per-device MSI descriptor store). Written under the
 * control lock; read without a lock (queries see a recent state).
 */
final class DescTable {

    private volatile AtomicReferenceArray<IrqDesc> slots = new AtomicReferenceArray<>(8);
    private volatile int size;
    /** The highest index in use, or -1. */
    private volatile int last = -1;

    IrqDesc get(int index) {
        AtomicReferenceArray<IrqDesc> s = slots;
        return index >= 0 && index < s.length() ? s.get(index) : null;
    }

    boolean contains(int index) {
        return get(index) != null;
    }

    void put(IrqDesc desc) {
        AtomicReferenceArray<IrqDesc> s = slots;
        if (desc.index >= s.length()) {
            AtomicReferenceArray<IrqDesc> grown = new AtomicReferenceArray<>(Math.max(s.length() * 2, desc.index + 1));
            for (int i = 0; i <= last; i++) {
                grown.set(i, s.get(i));
            }
            slots = grown;
            s = grown;
        }
        if (s.getAndSet(desc.index, desc) == null) {
            size++;
        }
        last = Math.max(last, desc.index);
    }

    void remove(int index) {
        AtomicReferenceArray<IrqDesc> s = slots;
        if (index < 0 || index >= s.length() || s.getAndSet(index, null) == null) {
            return;
        }
        size--;
        if (index == last) {
            int l = index - 1;
            while (l >= 0 && s.get(l) == null) {
                l--;
            }
            last = l;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The highest index in use, or -1 if none. */
    int lastIndex() {
        return last;
    }

    /** The descriptor with the lowest index, or null. */
    IrqDesc first() {
        AtomicReferenceArray<IrqDesc> s = slots;
        for (int i = 0; i <= last && i < s.length(); i++) {
            IrqDesc d = s.get(i);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /** The descriptors by index: a snapshot, so the caller may change the table while it walks it. */
    List<IrqDesc> values() {
        AtomicReferenceArray<IrqDesc> s = slots;
        int l = Math.min(last, s.length() - 1);
        List<IrqDesc> out = new ArrayList<>(size);
        for (int i = 0; i <= l; i++) {
            IrqDesc d = s.get(i);
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }
}
