package org.msidomain.provider.pci.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * PCI MSI-X storage, written the way Linux's drivers/pci/msi/msi.c does: the vector control word of
 * each entry is cached; an unmasked entry is masked around a message update; mask reads back to flush;
 * the function is enabled with Function Mask set and every entry masked, and Function Mask is cleared
 * only when the table is programmed. A restore (after a resume, reset or not) rewrites the table the way
 * {@code __pci_restore_msix_state} does: Enable and Function Mask first, then every entry, Function Mask
 * cleared at the end; control words cached before a reset are dropped and read again. A table found
 * disabled when another sequence starts (reset, not restored yet) is held the same way for that sequence.
 */
final class MsixStorage implements MsiStorage {

    private static final int CONTROL = 2;
    private static final int ENABLE = 1 << 15;
    private static final int FUNCTION_MASK = 1 << 14;
    private static final int ENTRY_SIZE = 16;
    private static final int LOWER_ADDR = 0;
    private static final int UPPER_ADDR = 4;
    private static final int DATA = 8;
    private static final int VECTOR_CTRL = 12;
    private static final int MASKBIT = 1;

    private final ConfigSpace config;
    private final int cap;
    private final Mmio bar;
    private final long table;
    private final int[] ctrl;
    private final StorageInfo info;
    private final int pm;
    /** Function Mask was set by {@link #lock()} for a rewrite of a reset table: cleared by {@link #unlock()}. */
    private boolean rewriting;
    /** Between {@link #restoreBegin()} and {@link #restoreEnd()}: every message is written, even one already there. */
    private boolean restoring;

    /** @param adopt the table is live: cache its vector control words, leave Function Mask and the entries alone */
    MsixStorage(HwDevice device, ConfigSpace config, int cap, int vectors, boolean adopt) {
        this.config = config;
        this.cap = cap;
        int size = (config.read16(cap + CONTROL) & 0x7FF) + 1;
        if (vectors > size) {
            throw new IllegalArgumentException("device " + device.id() + ": MSI-X table has " + size
                    + " entries, " + vectors + " vectors requested");
        }
        int tableReg = config.read32(cap + 4);
        bar = device.region(tableReg & 7);
        table = tableReg & 0xFFFF_FFF8L;
        ctrl = new int[size];
        pm = PciCapabilities.find(config, PciCapabilities.PM);
        info = new StorageInfo("PCI-MSIX-" + device.fullName(), size,
                EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC));
        if (adopt) {
            for (int k = 0; k < size; k++) {
                ctrl[k] = bar.read32(entry(k) + VECTOR_CTRL);
            }
            return;
        }
        // Function Mask and Enable together, so no entry fires while the table is programmed.
        writeControl(ENABLE | FUNCTION_MASK);
        for (int k = 0; k < size; k++) {
            ctrl[k] = bar.read32(entry(k) + VECTOR_CTRL) | MASKBIT;
            bar.write32(entry(k) + VECTOR_CTRL, ctrl[k]);
        }
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        if (!PciCapabilities.inD0(config, pm)) {
            return; // not in D0: the domain's cache keeps the message until restore (__pci_write_msi_msg)
        }
        long e = entry(desc.index());
        if (!restoring && bar.read32(e + LOWER_ADDR) == msg.addressLo() && bar.read32(e + UPPER_ADDR) == msg.addressHi()
                && bar.read32(e + DATA) == msg.data()) {
            return; // already there (a restore after a provider change): no masked window, nothing held back
        }
        int c = ctrl[desc.index()];
        boolean unmasked = (c & MASKBIT) == 0;
        // The spec leaves an update of an unmasked entry undefined: mask around it.
        if (unmasked) {
            bar.write32(e + VECTOR_CTRL, c | MASKBIT);
        }
        bar.write32(e + LOWER_ADDR, msg.addressLo());
        bar.write32(e + UPPER_ADDR, msg.addressHi());
        bar.write32(e + DATA, msg.data());
        if (unmasked) {
            bar.write32(e + VECTOR_CTRL, c);
        }
        bar.read32(e + DATA); // flush the posted writes
    }

    @Override
    public void mask(MsiDescView desc) {
        int k = desc.index();
        ctrl[k] |= MASKBIT;
        bar.write32(entry(k) + VECTOR_CTRL, ctrl[k]);
        bar.read32(entry(k) + VECTOR_CTRL); // the device is known masked when mask returns
    }

    @Override
    public void unmask(MsiDescView desc) {
        int k = desc.index();
        ctrl[k] &= ~MASKBIT;
        bar.write32(entry(k) + VECTOR_CTRL, ctrl[k]);
    }

    /**
     * A table found disabled belongs to a function that was reset since it was programmed: its entries
     * are masked and zero, so the cached control words are stale and are read again (the domain then
     * unmasks what it wants unmasked); Function Mask holds every entry while the messages are rewritten.
     */
    @Override
    public void lock() {
        if ((config.read16(cap + CONTROL) & ENABLE) != 0) {
            return;
        }
        holdForRewrite();
        rewriting = true;
    }

    /**
     * {@code __pci_restore_msix_state}: Enable and Function Mask ({@code PCI_MSIX_FLAGS_MASKALL}) before the first
     * entry is written, whatever state the function is in (reset or not).
     */
    @Override
    public void restoreBegin() {
        holdForRewrite();
        restoring = true;
    }

    /** Every entry written: Function Mask off, latched entries that are not masked send now. */
    @Override
    public void restoreEnd() {
        restoring = false;
        writeControl(ENABLE);
    }

    /** Enable and Function Mask; the control words of a table found disabled (reset) are read again first. */
    private void holdForRewrite() {
        boolean reset = (config.read16(cap + CONTROL) & ENABLE) == 0;
        writeControl(ENABLE | FUNCTION_MASK);
        if (reset) {
            for (int k = 0; k < ctrl.length; k++) {
                ctrl[k] = bar.read32(entry(k) + VECTOR_CTRL);
            }
        }
    }

    @Override
    public void unlock() {
        if (rewriting) {
            rewriting = false;
            writeControl(ENABLE); // every entry written: Function Mask off (PCI_MSIX_FLAGS_MASKALL cleared)
        }
    }

    @Override
    public void enable() {
        CommandRegister.intx(config, false); // msix_capability_init: pci_intx_for_msi(dev, 0) before MASKALL clears
        writeControl(ENABLE);
    }

    @Override
    public void disable() {
        for (int k = 0; k < ctrl.length; k++) {
            ctrl[k] |= MASKBIT;
            bar.write32(entry(k) + VECTOR_CTRL, ctrl[k]);
        }
        writeControl(0);
        CommandRegister.intx(config, true); // pci_msix_shutdown: after MSI-X Enable is cleared
    }

    private void writeControl(int bits) {
        int value = config.read16(cap + CONTROL) & ~(ENABLE | FUNCTION_MASK) | bits;
        config.write16(cap + CONTROL, value);
    }

    private long entry(int k) {
        return table + (long) k * ENTRY_SIZE;
    }
}
