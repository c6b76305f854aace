package org.msidomain.provider.pci.internal;

import java.util.EnumSet;
import java.util.Optional;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * MSI-X whose messages a hypervisor owns (Linux arch/powerpc/platforms/pseries/msi.c): the destination is handed
 * to the hypervisor, which chooses and programs the message ({@code ibm,change-msi}); the message is read back
 * from the table ({@code pseries_msi_compose_msg} = {@code __pci_read_msi_msg}, the cached one outside D0) and
 * never written nor zeroed by the OS ({@code pseries_msi_write_msg} only caches). Masking is Linux's on pseries:
 * the entry's mask bit at the source ({@code pci_msi_mask_irq}) and the parent too ({@code irq_chip_mask_parent},
 * {@code MSI_FLAG_PCI_MSI_MASK_PARENT}), which the domain models by holding arrivals at the destination.
 */
final class HypervisorMsixStorage implements MsiStorage {

    private static final int ENTRY_SIZE = 16;
    private static final int LOWER_ADDR = 0;
    private static final int UPPER_ADDR = 4;
    private static final int DATA = 8;
    private static final int VECTOR_CTRL = 12;
    private static final int MASKBIT = 1;

    private final HwDevice device;
    private final Hypervisor hypervisor;
    private final ConfigSpace config;
    private final int pm;
    private final Mmio bar;
    private final long table;
    /** The message last read back per entry (Linux's {@code msi_desc.msg}). */
    private final MsiMsg[] cached;
    private final StorageInfo info;

    HypervisorMsixStorage(HwDevice device, Hypervisor hypervisor, ConfigSpace config, int cap, int vectors) {
        int size = (config.read16(cap + 2) & 0x7FF) + 1;
        if (vectors > size) {
            throw new IllegalArgumentException("device " + device.id() + ": MSI-X table has " + size + " entries, "
                    + vectors + " vectors requested");
        }
        this.device = device;
        this.hypervisor = hypervisor;
        this.config = config;
        this.pm = PciCapabilities.find(config, PciCapabilities.PM);
        int tableReg = config.read32(cap + 4);
        this.bar = device.region(tableReg & 7);
        this.table = tableReg & 0xFFFF_FFF8L;
        this.cached = new MsiMsg[size];
        this.info = new StorageInfo("PCI-MSIX-" + device.fullName(), size,
                EnumSet.of(StorageFlag.HYPERVISOR_OWNED, StorageFlag.CAN_MASK, StorageFlag.MASK_PARENT));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    /** Hands the hypervisor the destination; it chooses the message the entry holds. */
    @Override
    public void writeMsg(MsiDescView desc, MsiMsg destination) {
        hypervisor.programMsi(device, desc.index(), destination);
    }

    @Override
    public Optional<MsiMsg> readMsg(MsiDescView desc) {
        int k = desc.index();
        if (PciCapabilities.inD0(config, pm)) {
            long e = entry(k);
            cached[k] = new MsiMsg(bar.read32(e + LOWER_ADDR), bar.read32(e + UPPER_ADDR), bar.read32(e + DATA));
        }
        return Optional.ofNullable(cached[k]);
    }

    @Override
    public void mask(MsiDescView desc) {
        long e = entry(desc.index());
        bar.write32(e + VECTOR_CTRL, bar.read32(e + VECTOR_CTRL) | MASKBIT);
        bar.read32(e + VECTOR_CTRL); // the device is known masked when mask returns
    }

    @Override
    public void unmask(MsiDescView desc) {
        long e = entry(desc.index());
        bar.write32(e + VECTOR_CTRL, bar.read32(e + VECTOR_CTRL) & ~MASKBIT);
    }

    @Override
    public void disable() {
        hypervisor.disableMsi(device);
    }

    private long entry(int k) {
        return table + (long) k * ENTRY_SIZE;
    }
}
