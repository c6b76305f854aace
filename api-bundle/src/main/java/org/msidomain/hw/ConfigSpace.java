package org.msidomain.hw;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A PCI function's configuration space. Accesses are little-endian and must be naturally aligned;
 * writes honour each register's writable bits, as in hardware.
 */
@ConsumerType
public interface ConfigSpace {

    /** The number of bytes present (64, 256 or 4096); reads beyond fail. */
    int size();

    int read8(int offset);

    int read16(int offset);

    int read32(int offset);

    void write8(int offset, int value);

    void write16(int offset, int value);

    void write32(int offset, int value);
}
