package org.msidomain.bench;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A minimal platform storage for scaling benchmarks: writes a slot's address and data with one MMIO
 * write each and keeps destination bits 31:8 in the upper address, so it can target thousands of CPUs
 * without remapping, and it cannot mask, so every vector is real at allocation (no reservation mode).
 */
final class BenchSlotOps implements MsiStorageOps {

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        Mmio slots = device.region(0);
        StorageInfo info = new StorageInfo("BENCH-" + device.id(), 2048, EnumSet.of(StorageFlag.REMAPPING_UNIT));
        return new MsiStorage() {
            @Override
            public StorageInfo info() {
                return info;
            }

            @Override
            public void writeMsg(MsiDescView desc, MsiMsg msg) {
                long slot = desc.index() * 16L;
                slots.write32(slot, msg.addressLo());
                slots.write32(slot + 4, msg.addressHi());
                slots.write32(slot + 8, msg.data());
            }

            @Override
            public void mask(MsiDescView desc) {
            }

            @Override
            public void unmask(MsiDescView desc) {
            }
        };
    }

    @Override
    public int maxVectors(HwDevice device) {
        return 2048;
    }
}
