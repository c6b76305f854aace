package org.msidomain.provider.pci.internal;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The PCI storage provider. Picks a device's storage variant once: MSI-X if the device has it (as
 * {@code pci_alloc_irq_vectors(PCI_IRQ_MSIX | PCI_IRQ_MSI)} prefers), else MSI in its 32- or 64-bit
 * layout; the driver may ask for {@code msi} or {@code msix}, and the configuration may prefer MSI
 * ({@link PciProviderConfiguration}). The other mode is turned off first: MSI and MSI-X are never
 * enabled together.
 */
@Component(service = MsiStorageOps.class, configurationPid = PciProviderConfiguration.PID,
        property = MsiStorageOps.STORAGE_TYPE + "=pci")
@Designate(ocd = PciProviderConfiguration.class)
public final class PciStorageOps implements MsiStorageOps {

    private static final System.Logger LOG = System.getLogger("org.msidomain.provider.pci");
    static final String MSI = "msi";
    static final String MSIX = "msix";

    private volatile String preferred = MSIX;

    /**
     * Takes the options, at activation and whenever they change (the ranking is a service property: SCR
     * updates the registration in place and the domain chooses again). A bad variant keeps the last one.
     */
    @Activate
    @Modified
    void configure(PciProviderConfiguration config) {
        String variant = config.preferredVariant() == null ? MSIX : config.preferredVariant().trim();
        if (variant.equals(MSI) || variant.equals(MSIX)) {
            preferred = variant;
        } else {
            LOG.log(System.Logger.Level.WARNING, "{0}: preferredVariant: ''{1}'' is neither msi nor msix; keeping {2}",
                    PciProviderConfiguration.PID, variant, preferred);
        }
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        ConfigSpace config = config(device);
        if (!request.adopt()) {
            CommandRegister.setMaster(config); // the driver's probe; an adopted function keeps what its driver set
        }
        int msix = PciCapabilities.find(config, PciCapabilities.MSIX);
        int msi = PciCapabilities.find(config, PciCapabilities.MSI);
        String variant = request.variant().isEmpty() ? choose(config, msi, msix, request.adopt()) : request.variant();
        switch (variant) {
            case MSIX -> {
                require(device, msix, "MSI-X");
                if (device.hypervisor().isPresent()) {
                    return new HypervisorMsixStorage(device, device.hypervisor().get(), config, msix, request.vectors());
                }
                turnOff(config, msi, 0x0001);
                return new MsixStorage(device, config, msix, request.vectors(), request.adopt());
            }
            case MSI -> {
                require(device, msi, "MSI");
                turnOff(config, msix, 0x8000);
                boolean is64 = (config.read16(msi + 2) & 0x80) != 0;
                return is64 ? new Msi64Storage(device, config, msi, request.vectors(), request.adopt())
                        : new Msi32Storage(device, config, msi, request.vectors(), request.adopt());
            }
            default -> throw new IllegalArgumentException("device " + device.id() + ": unknown PCI storage variant '"
                    + variant + "' (msi or msix)");
        }
    }

    /**
     * Storage that is live keeps its mode (whatever the preference is now); otherwise the preferred mode
     * where the device has it, else the other.
     */
    private String choose(ConfigSpace config, int msi, int msix, boolean adopt) {
        if (adopt && msix >= 0 && (config.read16(msix + 2) & 0x8000) != 0) {
            return MSIX;
        }
        if (adopt && msi >= 0 && (config.read16(msi + 2) & 0x0001) != 0) {
            return MSI;
        }
        if (preferred.equals(MSI)) {
            return msi >= 0 ? MSI : MSIX;
        }
        return msix >= 0 ? MSIX : MSI;
    }

    /** The vectors of the variant an allocation that names none gets (MSI-X or MSI, as preferred). */
    @Override
    public int maxVectors(HwDevice device) {
        ConfigSpace config = config(device);
        int msix = PciCapabilities.find(config, PciCapabilities.MSIX);
        int msi = PciCapabilities.find(config, PciCapabilities.MSI);
        require(device, Math.max(msix, msi), "MSI or MSI-X");
        if (choose(config, msi, msix, false).equals(MSIX)) {
            return (config.read16(msix + 2) & 0x7FF) + 1;
        }
        return 1 << ((config.read16(msi + 2) >> 1) & 7);
    }

    private static void require(HwDevice device, int cap, String what) {
        if (cap < 0) {
            throw new IllegalArgumentException("device " + device.id() + " has no " + what + " capability");
        }
    }

    /** Clears the other mode's enable bit (what Linux's pci_msi_init / pci_msix_init do at enumeration). */
    private static void turnOff(ConfigSpace config, int cap, int enable) {
        if (cap >= 0 && (config.read16(cap + 2) & enable) != 0) {
            config.write16(cap + 2, config.read16(cap + 2) & ~enable);
        }
    }

    private static ConfigSpace config(HwDevice device) {
        return device.config().orElseThrow(
                () -> new IllegalArgumentException("device " + device.id() + " has no PCI config space"));
    }
}
