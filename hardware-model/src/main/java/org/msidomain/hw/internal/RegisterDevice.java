package org.msidomain.hw.internal;

import java.util.Map;
import java.util.Optional;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * A device that is one block of memory-mapped registers (HPET, a DMAR unit, a platform device). The
 * machine counts its raises in flight and flushes them before register reads; a register write counts
 * here, so a message it releases (an unmask) is flushed as well.
 */
public abstract class RegisterDevice implements HwDevice, Mmio {

    private final String id;
    private final String storageType;
    private final int requesterId;
    private final Map<String, String> properties;
    protected final InterruptFabric fabric;
    private final InFlight inFlight;

    protected RegisterDevice(String id, String storageType, Map<String, String> properties, MachinePort port) {
        this.id = id;
        this.storageType = storageType;
        this.requesterId = port.requesterId();
        this.properties = Map.copyOf(properties);
        this.fabric = port.fabric();
        this.inFlight = port.inFlight();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String fullName() {
        return id;
    }

    @Override
    public String storageType() {
        return storageType;
    }

    @Override
    public int requesterId() {
        return requesterId;
    }

    @Override
    public Optional<ConfigSpace> config() {
        return Optional.empty();
    }

    @Override
    public Mmio region(int n) {
        if (n != 0) {
            throw new IllegalArgumentException("device " + id + " has one register block (region 0), not " + n);
        }
        return this;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    /** The device raises interrupt {@code index} (counted in flight by the machine around this call). */
    @Override
    public final void raise(int index) {
        fire(index);
    }

    /** A register read; the machine flushes the device's messages before it. */
    @Override
    public final int read32(long offset) {
        checkAccess(offset);
        return readRegister(offset);
    }

    /** A register write; a message it sends counts in flight until delivered. */
    @Override
    public final void write32(long offset, int value) {
        checkAccess(offset);
        int phase = inFlight.begin();
        try {
            writeRegister(offset, value);
        } finally {
            inFlight.end(phase);
        }
    }

    /** What the device does when its interrupt {@code index} is raised. */
    protected abstract void fire(int index);

    protected abstract int readRegister(long offset);

    protected abstract void writeRegister(long offset, int value);

    private void checkAccess(long offset) {
        if (offset < 0 || offset + 4 > size() || (offset & 3) != 0) {
            throw new IllegalArgumentException(String.format("%s: register access at 0x%x is outside its %d bytes or unaligned",
                    id, offset, size()));
        }
    }

    protected void checkIndex(int index, int count, String what) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException(id + " has no " + what + " " + index + " (0-" + (count - 1) + ")");
        }
    }
}
