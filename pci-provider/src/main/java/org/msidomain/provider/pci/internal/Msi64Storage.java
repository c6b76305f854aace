package org.msidomain.provider.pci.internal;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;

/** A 64-bit MSI capability: address at +0x04/+0x08, 16-bit data at +0x0C, mask bits (if any) at +0x10. */
final class Msi64Storage extends PciMsiStorage {

    Msi64Storage(HwDevice device, ConfigSpace config, int cap, int vectors, boolean adopt) {
        super(device, config, cap, vectors, cap + 0x10, adopt);
    }

    @Override
    void writeAddressAndData(MsiMsg msg) {
        config.write32(cap + 0x04, msg.addressLo());
        config.write32(cap + 0x08, msg.addressHi());
        config.write16(cap + 0x0C, msg.data() & 0xFFFF);
    }
}
