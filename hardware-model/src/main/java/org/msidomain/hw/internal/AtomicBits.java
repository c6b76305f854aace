package org.msidomain.hw.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/** A fixed set of bits set and cleared lock-free from any thread (pending bit arrays, IRR). Allocation-free. */
public final class AtomicBits {

    private final AtomicLongArray words;

    public AtomicBits(int bits) {
        words = new AtomicLongArray((bits + 63) / 64);
    }

    public boolean get(int bit) {
        return (words.get(bit >> 6) & (1L << (bit & 63))) != 0;
    }

    /** Sets a bit; false if it was set already. */
    public boolean set(int bit) {
        int word = bit >> 6;
        long mask = 1L << (bit & 63);
        long v;
        do {
            v = words.get(word);
            if ((v & mask) != 0) {
                return false;
            }
        } while (!words.compareAndSet(word, v, v | mask));
        return true;
    }

    /** Clears a bit; true if it was set. */
    public boolean testAndClear(int bit) {
        int word = bit >> 6;
        long mask = 1L << (bit & 63);
        long v;
        do {
            v = words.get(word);
            if ((v & mask) == 0) {
                return false;
            }
        } while (!words.compareAndSet(word, v, v & ~mask));
        return true;
    }

    /** The 64 bits of word {@code w}. */
    public long word(int w) {
        return words.get(w);
    }

    public int words() {
        return words.length();
    }

    public void clearAll() {
        for (int w = 0; w < words.length(); w++) {
            words.set(w, 0);
        }
    }
}
