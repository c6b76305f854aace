package org.msidomain.provider.pci.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * PCI MSI storage (drivers/pci/msi/msi.c): one message for a power-of-two block of vectors, written
 * only for the block's first descriptor with QSIZE (Multiple Message Enable) rewritten each time and a
 * read of Message Control to flush. The subclasses differ only in where address and data live.
 */
abstract class PciMsiStorage implements MsiStorage {

    static final int CONTROL = 2;
    static final int ENABLE = 1;
    static final int QSIZE = 0x70;

    final ConfigSpace config;
    final int cap;
    private final int multiple;
    private final MsiMaskBits mask;
    private final StorageInfo info;
    private final int pm;

    /** @param adopt the device's MSI is live: keep it enabled and its mask bits as they are */
    PciMsiStorage(HwDevice device, ConfigSpace config, int cap, int vectors, int maskRegister, boolean adopt) {
        this.config = config;
        this.cap = cap;
        pm = PciCapabilities.find(config, PciCapabilities.PM);
        int ctrl = config.read16(cap + CONTROL);
        int capable = 1 << ((ctrl >> 1) & 7);
        if (vectors > capable) {
            throw new IllegalArgumentException("device " + device.id() + ": MSI is capable of " + capable
                    + " vectors (Multiple Message Capable), " + vectors + " requested");
        }
        multiple = 32 - Integer.numberOfLeadingZeros(Math.max(1, vectors) - 1);
        mask = MsiMaskBits.of(config, maskRegister, (ctrl & 0x100) != 0);
        EnumSet<StorageFlag> flags = EnumSet.of(StorageFlag.MULTI_MESSAGE);
        if (mask.canMask()) {
            flags.add(StorageFlag.CAN_MASK);
        }
        info = new StorageInfo("PCI-MSI-" + device.fullName(), capable, flags);
        if (!adopt) {
            // msi_capability_init: MSI off while the message is programmed; vectors masked until started.
            config.write16(cap + CONTROL, ctrl & ~ENABLE);
            for (int k = 0; k < (1 << multiple); k++) {
                mask.mask(k);
            }
        }
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        if (desc.index() != 0) {
            return; // one message for the whole block: only its first descriptor writes it
        }
        if (!PciCapabilities.inD0(config, pm)) {
            return; // not in D0: the domain's cache keeps the message until restore (__pci_write_msi_msg)
        }
        int ctrl = config.read16(cap + CONTROL) & ~QSIZE | (multiple << 4);
        config.write16(cap + CONTROL, ctrl);
        writeAddressAndData(msg);
        config.read16(cap + CONTROL); // make sure the writes reached the device
    }

    /** Writes the message words in the capability's layout, one 32-bit (or 16-bit) write each. */
    abstract void writeAddressAndData(MsiMsg msg);

    @Override
    public void mask(MsiDescView desc) {
        mask.mask(desc.index());
    }

    @Override
    public void unmask(MsiDescView desc) {
        mask.unmask(desc.index());
    }

    @Override
    public void enable() {
        CommandRegister.intx(config, false); // msi_capability_init: pci_intx_for_msi(dev, 0), then MSI Enable
        config.write16(cap + CONTROL, config.read16(cap + CONTROL) | ENABLE);
    }

    @Override
    public void disable() {
        // pci_msi_shutdown: MSI Enable off, pci_intx_for_msi(dev, 1), then every vector unmasked
        config.write16(cap + CONTROL, config.read16(cap + CONTROL) & ~ENABLE);
        CommandRegister.intx(config, true);
        mask.unmaskAll(); // handed back unmasked, as after reset
    }
}
