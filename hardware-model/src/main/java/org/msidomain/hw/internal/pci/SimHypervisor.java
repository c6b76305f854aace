package org.msidomain.hw.internal.pci;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;

/**
 * The firmware that owns the MSI-X tables of some functions (pseries RTAS {@code ibm,change-msi}): it chooses
 * each entry's message itself and writes it through its own path, while the OS's writes to the message words
 * are ignored and counted. The OS only names where an interrupt should arrive; the message is the firmware's
 * own encoding of that destination: physical destination with the redirection hint set (address bit 3) and
 * lowest-priority delivery (data bits 10:8 = 001), which with one physical destination arrives at that CPU
 * (Intel SDM vol. 3, 11.11.1-2) and is never the fixed, hint-free message Linux composes on x86. The OS reads
 * it back from the device (Linux {@code pseries_msi_compose_msg} = {@code __pci_read_msi_msg}). The entries'
 * mask bits are the OS's (it masks at the source, {@code pci_msi_mask_irq}): the firmware leaves them as it
 * finds them, masking a live entry only around its own update.
 */
public final class SimHypervisor implements Hypervisor {

    private static final int ENABLE = 0x8000;
    private static final int FUNCTION_MASK = 0x4000;
    private static final int MASK_BIT = 1;
    /** Address bit 3, the redirection hint. */
    static final int REDIRECTION_HINT = 1 << 3;
    /** Data bits 10:8 = 001, lowest priority. */
    static final int LOWEST_PRIORITY = 0x100;

    @Override
    public void programMsi(HwDevice device, int index, MsiMsg destination) {
        PciFunction f = owned(device);
        MsixModel msix = f.msix().orElseThrow(() -> new IllegalArgumentException(device.id() + " has no MSI-X"));
        if (index < 0 || index >= msix.size()) {
            throw new IllegalArgumentException("MSI-X entry " + index + " beyond the table of " + device.id());
        }
        if ((destination.addressLo() >>> 20) != 0xFEE || destination.addressHi() != 0) {
            throw new IllegalArgumentException(String.format("%s MSI-X entry %d: 0x%08x_%08x is no destination the "
                    + "hypervisor can route to", device.id(), index, destination.addressHi(), destination.addressLo()));
        }
        int apicId = (destination.addressLo() >>> 12) & 0xFF;
        int addressLo = 0xFEE0_0000 | apicId << 12 | REDIRECTION_HINT;
        int data = LOWEST_PRIORITY | (destination.data() & 0xFF);
        long e = index * 16L;
        if (msix.readTable(e) != addressLo || msix.readTable(e + 4) != 0 || msix.readTable(e + 8) != data) {
            int ctrl = msix.readTable(e + 12);
            boolean live = (ctrl & MASK_BIT) == 0;
            if (live) {
                msix.writeTable(e + 12, ctrl | MASK_BIT); // never a half-written message sent
            }
            msix.writeTable(e, addressLo);
            msix.writeTable(e + 4, 0);
            msix.writeTable(e + 8, data);
            if (live) {
                msix.writeTable(e + 12, ctrl);
            }
        }
        int control = f.pciConfig().read16(msix.capability() + 2);
        if ((control & (ENABLE | FUNCTION_MASK)) != ENABLE) {
            f.pciConfig().write16(msix.capability() + 2, (control | ENABLE) & ~FUNCTION_MASK);
        }
    }

    @Override
    public void disableMsi(HwDevice device) {
        PciFunction f = owned(device);
        MsixModel msix = f.msix().orElseThrow(() -> new IllegalArgumentException(device.id() + " has no MSI-X"));
        for (int k = 0; k < msix.size(); k++) {
            msix.writeTable(k * 16L + 12, msix.readTable(k * 16L + 12) | MASK_BIT);
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
