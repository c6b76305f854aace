package org.msidomain.provider.pci.internal;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;

/** A 32-bit MSI capability: address at +0x04, 16-bit data at +0x08, mask bits (if any) at +0x0C. */
final class Msi32Storage extends PciMsiStorage {

    Msi32Storage(HwDevice device, ConfigSpace config, int cap, int vectors, boolean adopt) {
        super(device, config, cap, vectors, cap + 0x0C, adopt);
    }

    @Override
    void writeAddressAndData(MsiMsg msg) {
        if (msg.addressHi() != 0) {
            throw new IllegalArgumentException("a 32-bit MSI capability cannot hold " + msg);
        }
        config.write32(cap + 0x04, msg.addressLo());
        config.write16(cap + 0x08, msg.data() & 0xFFFF);
    }
}
