package org.msidomain.provider.hpet.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * HPET FSB storage (Linux arch/x86/kernel/hpet.c): the message of timer n lives in its FSB route
 * register, data in the low dword and address in the high dword (address_hi is never stored); mask
 * clears the timer's interrupt enable and FSB enable, unmask sets both. A comparator match while masked
 * is lost, not latched. Timers without FSB delivery capability are refused.
 */
final class HpetFsbStorage implements MsiStorage {

    static final int GENERAL_CONFIG = 0x010;
    static final int ENABLE_CNF = 1;
    static final int INT_ENB = 1 << 2;
    static final int FSB_EN = 1 << 14;
    static final int FSB_CAP = 1 << 15;

    private final HwDevice device;
    private final Mmio regs;
    private final StorageInfo info;

    HpetFsbStorage(HwDevice device, int timers) {
        this.device = device;
        this.regs = device.region(0);
        this.info = new StorageInfo("HPET-MSI", timers,
                EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.LOSSY_MASK, StorageFlag.ALLOC_DYNAMIC));
        // hpet_enable(): the main counter runs and timers may interrupt
        regs.write32(GENERAL_CONFIG, regs.read32(GENERAL_CONFIG) | ENABLE_CNF);
    }

    static int config(int timer) {
        return 0x100 + 0x20 * timer;
    }

    static int route(int timer) {
        return 0x110 + 0x20 * timer;
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        int n = desc.index();
        if ((regs.read32(config(n)) & FSB_CAP) == 0) {
            throw new IllegalArgumentException(device.id() + ": timer " + n
                    + " cannot deliver by FSB message (Tn_FSB_INT_DEL_CAP clear)");
        }
        regs.write32(route(n), msg.data());
        regs.write32(route(n) + 4, msg.addressLo());
        regs.read32(route(n)); // read back: the device uses the new route from here on
    }

    @Override
    public void mask(MsiDescView desc) {
        int n = desc.index();
        regs.write32(config(n), regs.read32(config(n)) & ~(INT_ENB | FSB_EN));
    }

    @Override
    public void unmask(MsiDescView desc) {
        int n = desc.index();
        regs.write32(config(n), regs.read32(config(n)) | INT_ENB | FSB_EN);
    }
}
