package org.msidomain.hw.internal.pci;

import org.msidomain.hw.Mmio;

/**
 * One memory BAR of a PCI function. The MSI-X table and PBA are decoded where the capability puts
 * them; the rest of the BAR is device memory the model does not implement (reads 0, writes ignored).
 */
final class BarRegion implements Mmio {

    private final int bar;
    private final long size;
    private final MsixModel msix;
    private final boolean hypervisorOwned;
    private final java.util.concurrent.atomic.AtomicInteger osTableWrites = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Runnable writeObserver;

    /** Whether the function is in D0: memory space is decoded only then. */
    private final java.util.function.BooleanSupplier d0;

    BarRegion(int bar, long size, MsixModel msix, boolean hypervisorOwned, java.util.function.BooleanSupplier d0) {
        this.d0 = d0;
        this.bar = bar;
        this.size = size;
        this.msix = msix;
        this.hypervisorOwned = hypervisorOwned;
    }

    int osTableWrites() {
        return osTableWrites.get();
    }

    void setWriteObserver(Runnable observer) {
        this.writeObserver = observer;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read32(long offset) {
        check(offset);
        if (!d0.getAsBoolean()) {
            return -1; // not decoded outside D0: the read completes with all ones
        }
        if (inTable(offset)) {
            return msix.readTable(offset - msix.tableOffset());
        }
        if (inPba(offset)) {
            return msix.readPba(offset - msix.pbaOffset());
        }
        return 0;
    }

    @Override
    public void write32(long offset, int value) {
        check(offset);
        if (!d0.getAsBoolean()) {
            return; // not decoded outside D0: the write is dropped
        }
        if (inTable(offset) && hypervisorOwned && !vectorControl(offset)) {
            // the hypervisor owns the messages: the OS's write does not reach them (its mask bits do)
            osTableWrites.incrementAndGet();
        } else if (inTable(offset)) {
            msix.writeTable(offset - msix.tableOffset(), value);
        }
        // PBA writes are ignored (it is read-only), as is memory the model does not implement.
        Runnable observer = writeObserver;
        if (observer != null) {
            observer.run();
        }
    }

    private boolean inTable(long offset) {
        return msix != null && msix.tableBar() == bar && offset >= msix.tableOffset()
                && offset < msix.tableOffset() + msix.tableBytes();
    }

    /** The Vector Control dword of an entry (offset 12 of 16): a guest masks there even when firmware owns the table. */
    private boolean vectorControl(long offset) {
        return ((offset - msix.tableOffset()) & 0xC) == 0xC;
    }

    private boolean inPba(long offset) {
        return msix != null && msix.pbaBar() == bar && offset >= msix.pbaOffset()
                && offset < msix.pbaOffset() + msix.pbaBytes();
    }

    private void check(long offset) {
        if (offset < 0 || offset + 4 > size || (offset & 3) != 0) {
            throw new IllegalArgumentException(String.format("BAR%d access at 0x%x is outside its %d bytes or unaligned",
                    bar, offset, size));
        }
    }
}
