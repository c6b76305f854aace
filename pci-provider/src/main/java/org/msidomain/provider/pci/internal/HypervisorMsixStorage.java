package org.msidomain.provider.pci.internal;

import java.util.EnumSet;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * MSI-X whose table a hypervisor owns (Linux's pseries_msi_write_msg): the message is only cached and
 * handed to the hypervisor, which programs the device; the OS never writes the table nor its mask bits
 * (the domain masks such interrupts at the destination) and never zeroes an entry on deactivation.
 */
final class HypervisorMsixStorage implements MsiStorage {

    private final HwDevice device;
    private final Hypervisor hypervisor;
    private final MsiMsg[] cached;
    private final StorageInfo info;

    HypervisorMsixStorage(HwDevice device, Hypervisor hypervisor, int size, int vectors) {
        if (vectors > size) {
            throw new IllegalArgumentException("device " + device.id() + ": MSI-X table has " + size + " entries, "
                    + vectors + " vectors requested");
        }
        this.device = device;
        this.hypervisor = hypervisor;
        this.cached = new MsiMsg[size];
        this.info = new StorageInfo("PCI-MSIX-" + device.fullName(), size, EnumSet.of(StorageFlag.HYPERVISOR_OWNED));
    }

    @Override
    public StorageInfo info() {
        return info;
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        cached[desc.index()] = msg;
        hypervisor.programMsi(device, desc.index(), msg);
    }

    @Override
    public void mask(MsiDescView desc) {
        // the hypervisor owns the mask bits
    }

    @Override
    public void unmask(MsiDescView desc) {
        // the hypervisor owns the mask bits
    }

    @Override
    public void disable() {
        hypervisor.disableMsi(device);
    }
}
