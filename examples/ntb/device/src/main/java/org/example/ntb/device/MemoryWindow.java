package org.example.ntb.device;

import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.hw.DevicePort;

/**
 * The peer's memory window into the local side: a peer write at window offset X arrives on the local side as a
 * write of the same data to {@code translated base + X}, which is a message write when the base is the local
 * message window (0xFEE00000). Lock-free and allocation-free: the interrupt path goes through it.
 */
final class MemoryWindow {

    private final int size;
    private final DevicePort port;
    private final AtomicLong errors = new AtomicLong();
    private volatile long translatedBase;

    MemoryWindow(int size, DevicePort port) {
        this.size = size;
        this.port = port;
    }

    int size() {
        return size;
    }

    long translatedBase() {
        return translatedBase;
    }

    /** Programs the translation; the bits below the window size are not implemented and read 0. */
    void translate(long base) {
        translatedBase = base & -(long) Math.max(size, 1);
    }

    long errors() {
        return errors.get();
    }

    /** A peer write of {@code data} at window offset {@code offset} (unsigned). */
    void write(int offset, int data, int vector) {
        long base = translatedBase;
        long at = offset & 0xFFFF_FFFFL;
        if (base == 0 || at >= size || (at & 3) != 0) {
            errors.incrementAndGet(); // a real bridge would complete it as an unsupported request
            return;
        }
        // names the writer (our storage type and the vector), so a move's shared interim window is accounted exactly
        port.send(base + at, data, NtbBridge.STORAGE_TYPE, vector);
    }
}
