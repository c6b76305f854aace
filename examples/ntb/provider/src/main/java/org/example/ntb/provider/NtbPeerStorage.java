package org.example.ntb.provider;

import static org.example.ntb.provider.NtbRegs.*;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A bridge's MSI storage, which lives on the peer: writing a message hands it to the peer through the
 * scratchpads, as Linux's {@code ntb_msi_write_msg} and the {@code desc_changed} callback of ntb_msi_test do
 * (the address as an offset into the window's translation, the data as it is), then rings the peer's doorbell.
 *
 * <p>The peer cannot be told to hold a vector, so the storage cannot mask at the source: it declares no
 * {@link StorageFlag#CAN_MASK}, the domain masks at the destination, and moves a vector with the non-maskable
 * sequence (data first on the old CPU, then the address). Each step changes one of the two scratchpads only, so
 * a peer trigger between two scratchpad writes sees the old or the new pair of that step, never a mix of the two
 * steps.
 */
final class NtbPeerStorage implements MsiStorage {

    private final Mmio regs;
    private final StorageInfo info;
    private final long base;
    private final long windowSize;

    NtbPeerStorage(Mmio regs, String chipName, int hwsize, long base, long windowSize) {
        this.regs = regs;
        this.info = new StorageInfo(chipName, hwsize, EnumSet.noneOf(StorageFlag.class));
        this.base = base;
        this.windowSize = windowSize;
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        int index = desc.index();
        if (msg.equals(MsiMsg.ZERO)) { // deactivated: withdraw the pair, offset first so the peer stops using it
            regs.write32(offsetSpad(index), NONE);
            regs.write32(dataSpad(index), 0);
        } else {
            long offset = msg.address() - base;
            if (offset < 0 || offset >= windowSize) {
                throw new IllegalArgumentException(String.format("%s: message address 0x%x of vector %d is outside the "
                        + "memory window 0x%x-0x%x", info.chipName(), msg.address(), index, base, base + windowSize - 1));
            }
            // data first: a pair handed for the first time becomes valid only with its offset
            regs.write32(dataSpad(index), msg.data());
            regs.write32(offsetSpad(index), (int) offset);
        }
        regs.write32(PEER_DB_SET, DB_DESC_CHANGED);
        flush();
    }

    /**
     * A read-back: it returns only after every message the bridge sent before it was delivered (a read completion
     * pushes the bridge's posted writes). The domain releases a move's old vector when writeMsg returns, so a peer
     * write of the old pair must not still be on its way then.
     */
    private void flush() {
        regs.read32(ID);
    }

    /** Never called: the storage has no {@code CAN_MASK}; the domain masks at the destination. */
    @Override
    public void mask(MsiDescView desc) {
    }

    /** Never called, as {@link #mask}. */
    @Override
    public void unmask(MsiDescView desc) {
    }

    /** The peer may use vectors 0..hwsize-1 (SPAD0, ntb_msi_test's irq count). */
    @Override
    public void enable() {
        regs.write32(spad(0), info.hwsize());
        regs.write32(PEER_DB_SET, DB_DESC_CHANGED);
        flush();
    }

    @Override
    public void disable() {
        regs.write32(spad(0), NONE);
        regs.write32(PEER_DB_SET, DB_DESC_CHANGED);
        flush();
    }
}
