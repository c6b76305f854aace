package org.msidomain.hw;

import org.osgi.annotation.versioning.ConsumerType;

/** A memory-mapped register region (a PCI BAR, an HPET block, a DMAR unit). Little-endian, aligned. */
@ConsumerType
public interface Mmio {

    /** The region's size in bytes. */
    long size();

    int read32(long offset);

    void write32(long offset, int value);

    /** A 64-bit read, as two 32-bit reads low dword first unless the region says otherwise. */
    default long read64(long offset) {
        return (read32(offset) & 0xFFFF_FFFFL) | ((long) read32(offset + 4) << 32);
    }

    /** A 64-bit write, as two 32-bit writes low dword first unless the region says otherwise. */
    default void write64(long offset, long value) {
        write32(offset, (int) value);
        write32(offset + 4, (int) (value >>> 32));
    }
}
