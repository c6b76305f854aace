package org.msidomain.hw.internal.irqchip;

/**
 * What a message write means on one interrupt architecture: the x86 local APIC window (with VT-d remapping), the
 * ITS translater, the GICv2m SETSPI register or the IMSIC interrupt files. Anything a path does not decode is lost.
 */
public interface MessagePath {

    /** A device's message write; hot path: allocation-free, no lock shared between CPUs. */
    void write(int addressLo, int addressHi, int data, int requesterId);

    /**
     * The same write naming its writer (device id, storage type, entry; {@code null}, {@code -1}: not said), for
     * the accounts of a CPU that holds the message ({@link org.msidomain.hw.VectorSink#requested}). A path whose
     * controller keeps no such accounts ignores the writer. Hot path, as {@link #write(int, int, int, int)}.
     */
    default void write(int addressLo, int addressHi, int data, int requesterId, String device, String storageType,
            int entry) {
        write(addressLo, addressHi, data, requesterId);
    }

    /** The same write, saying in the architecture's words what happened (for the shell, not the hot path). */
    String inject(int addressLo, int addressHi, int data, int requesterId);

    /** The 64-bit address of a write. */
    static long address(int addressLo, int addressHi) {
        return ((long) addressHi << 32) | (addressLo & 0xFFFF_FFFFL);
    }
}
