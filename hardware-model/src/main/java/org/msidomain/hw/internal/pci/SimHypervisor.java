package org.msidomain.hw.internal.pci;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;

/**
 * The firmware that owns the MSI-X tables of some functions (pseries RTAS): it writes their entries
 * itself, through its own path, while the OS's writes to such a table are ignored and counted.
 */
public final class SimHypervisor implements Hypervisor {

    private static final int ENABLE = 0x8000;
    private static final int FUNCTION_MASK = 0x4000;

    @Override
    public void programMsi(HwDevice device, int index, MsiMsg msg) {
        PciFunction f = owned(device);
        MsixModel msix = f.msix().orElseThrow(() -> new IllegalArgumentException(device.id() + " has no MSI-X"));
        if (index < 0 || index >= msix.size()) {
            throw new IllegalArgumentException("MSI-X entry " + index + " beyond the table of " + device.id());
        }
        long e = index * 16L;
        msix.writeTable(e + 12, 1); // firmware, too, updates an entry masked
        msix.writeTable(e, msg.addressLo());
        msix.writeTable(e + 4, msg.addressHi());
        msix.writeTable(e + 8, msg.data());
        int ctrl = f.pciConfig().read16(msix.capability() + 2);
        f.pciConfig().write16(msix.capability() + 2, (ctrl | ENABLE) & ~FUNCTION_MASK);
        msix.writeTable(e + 12, 0);
    }

    @Override
    public void disableMsi(HwDevice device) {
        PciFunction f = owned(device);
        MsixModel msix = f.msix().orElseThrow(() -> new IllegalArgumentException(device.id() + " has no MSI-X"));
        for (int k = 0; k < msix.size(); k++) {
            msix.writeTable(k * 16L + 12, 1);
        }
        int ctrl = f.pciConfig().read16(msix.capability() + 2);
        f.pciConfig().write16(msix.capability() + 2, ctrl & ~ENABLE);
    }

    private PciFunction owned(HwDevice device) {
        if (!(org.msidomain.hw.internal.Modelled.unwrap(device) instanceof PciFunction f) || f.hypervisor().orElse(null) != this) {
            throw new IllegalArgumentException(device.id() + " is not owned by this hypervisor");
        }
        return f;
    }
}
