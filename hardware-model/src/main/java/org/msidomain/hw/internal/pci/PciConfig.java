package org.msidomain.hw.internal.pci;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.internal.InFlight;

/**
 * A PCI function's configuration space with hardware write semantics: only bits marked writable
 * change, and the capability models see every write (so an MSI-X function-mask clear releases pending
 * messages). Stored as volatile dwords: the device reads them on the interrupt path while software
 * writes them.
 */
public final class PciConfig implements ConfigSpace {

    /** Something on the device that reacts to config writes. */
    public interface WriteHook {
        void written(int dwordOffset, int before, int after);
    }

    private final int size;
    private final AtomicIntegerArray dwords;
    private final int[] writable;
    private final List<WriteHook> hooks = new CopyOnWriteArrayList<>();
    private volatile Runnable writeObserver;
    private final InFlight inFlight;

    /** A config space holding {@code bytes} (the bytes a dump gave), every bit read-only at first. */
    public PciConfig(byte[] bytes) {
        this(bytes, new InFlight());
    }

    /**
     * @param inFlight the function's messages in flight (the machine's count for the device), which a
     *                 config write waits for; reads are flushed by the machine
     */
    public PciConfig(byte[] bytes, InFlight inFlight) {
        this.inFlight = inFlight;
        size = bytes.length;
        int n = (size + 3) / 4;
        dwords = new AtomicIntegerArray(n);
        writable = new int[n];
        for (int i = 0; i < size; i++) {
            int d = i >> 2;
            dwords.set(d, dwords.get(d) | (bytes[i] & 0xFF) << ((i & 3) * 8));
        }
    }

    /** Marks bits of the dword holding {@code offset} writable (device set-up only). */
    public void allowWrites(int offset, int bits) {
        writable[offset >> 2] |= bits;
    }

    /** Registers a capability model that reacts to writes. */
    public void addHook(WriteHook hook) {
        hooks.add(hook);
    }

    /**
     * A test hook run after every single register write, so a test can make the device raise its
     * interrupt between any two writes of a sequence.
     */
    public void setWriteObserver(Runnable observer) {
        this.writeObserver = observer;
    }

    /** Sets a dword as the device itself would (ignores the writable mask, runs no hooks). */
    public void poke32(int offset, int value) {
        dwords.set(offset >> 2, value);
    }

    /**
     * Changes bits of a dword as the device itself would, atomically: sets {@code set} then clears
     * {@code clear}. Returns the dword before the change.
     */
    int deviceUpdate(int offset, int set, int clear) {
        int d = offset >> 2;
        int before;
        do {
            before = dwords.get(d);
        } while (!dwords.compareAndSet(d, before, (before | set) & ~clear));
        return before;
    }

    /** The device's messages in flight: a config write waits for them (a non-posted write). */
    InFlight inFlight() {
        return inFlight;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int read8(int offset) {
        check(offset, 1);
        return (dwords.get(offset >> 2) >>> ((offset & 3) * 8)) & 0xFF;
    }

    @Override
    public int read16(int offset) {
        check(offset, 2);
        return peek16(offset);
    }

    @Override
    public int read32(int offset) {
        check(offset, 4);
        return dwords.get(offset >> 2);
    }

    /** A read by the device itself (no flush: it must not wait for its own messages). */
    int peek16(int offset) {
        return (dwords.get(offset >> 2) >>> ((offset & 3) * 8)) & 0xFFFF;
    }

    /**
     * Bus Master Enable (Command bit 2), read by the device itself: without it a function issues no memory
     * write, so no message either. QEMU models it the same way: pci_msi_trigger stores the message through
     * the function's bus_master_as, whose bus_master_enable_region pci_default_write_config enables only
     * while PCI_COMMAND_MASTER is set, so the write goes nowhere.
     */
    boolean busMaster() {
        return (dwords.get(0x04 >> 2) & BUS_MASTER) != 0;
    }

    /** Command register bit 2 (PCI_COMMAND_MASTER). */
    static final int BUS_MASTER = 0x4;

    /** A read by the device itself. */
    int peek32(int offset) {
        return dwords.get(offset >> 2);
    }

    @Override
    public void write8(int offset, int value) {
        write(offset, 1, value & 0xFF);
    }

    @Override
    public void write16(int offset, int value) {
        write(offset, 2, value & 0xFFFF);
    }

    @Override
    public void write32(int offset, int value) {
        write(offset, 4, value);
    }

    /**
     * A CPU's config write. It is non-posted: the model completes it after the device's messages already
     * under way, so a raise that passed its mask check finishes with the words it read (a mask write
     * then needs no read-back, as Linux assumes).
     */
    private void write(int offset, int width, int value) {
        check(offset, width);
        inFlight.drain();
        int d = offset >> 2;
        int shift = (offset & 3) * 8;
        int lane = (width == 4 ? -1 : (1 << (width * 8)) - 1) << shift;
        int bits = lane & writable[d];
        int before;
        int after;
        do {
            before = dwords.get(d);
            after = (before & ~bits) | ((value << shift) & bits);
        } while (!dwords.compareAndSet(d, before, after));
        for (WriteHook hook : hooks) {
            hook.written(d << 2, before, after);
        }
        Runnable observer = writeObserver;
        if (observer != null) {
            observer.run();
        }
    }

    private void check(int offset, int width) {
        if (offset < 0 || offset + width > size || (offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "config access of %d bytes at 0x%x is outside the %d bytes present or unaligned", width,
                    offset, size));
        }
    }
}
