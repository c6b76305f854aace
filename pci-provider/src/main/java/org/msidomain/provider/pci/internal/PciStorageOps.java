package org.msidomain.provider.pci.internal;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;

/**
 * The PCI storage provider: picks a device's storage variant once, preferring MSI-X as
 * {@code pci_alloc_irq_vectors(PCI_IRQ_MSIX | PCI_IRQ_MSI)} does.
 */
@Component(service = MsiStorageOps.class, property = MsiStorageOps.STORAGE_TYPE + "=pci")
public final class PciStorageOps implements MsiStorageOps {

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        ConfigSpace config = config(device);
        return new MsixStorage(device, config, msix(device, config), request.vectors());
    }

    @Override
    public int maxVectors(HwDevice device) {
        ConfigSpace config = config(device);
        return (config.read16(msix(device, config) + 2) & 0x7FF) + 1;
    }

    private static ConfigSpace config(HwDevice device) {
        return device.config().orElseThrow(
                () -> new IllegalArgumentException("device " + device.id() + " has no PCI config space"));
    }

    private static int msix(HwDevice device, ConfigSpace config) {
        int msix = PciCapabilities.find(config, PciCapabilities.MSIX);
        if (msix < 0) {
            throw new IllegalArgumentException("device " + device.id() + " has no MSI-X capability");
        }
        return msix;
    }
}
