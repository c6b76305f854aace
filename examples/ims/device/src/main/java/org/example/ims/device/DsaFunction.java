package org.example.ims.device;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * An Intel DSA function (8086:0b25, Sapphire Rapids) with its two message storages: MSI-X (9 entries, the
 * default storage, type {@code pci}, served by the platform's PCI provider) for the device's own use, and the
 * IMS slot array in BAR 0 (type {@value #IMS_TYPE}) for the interrupts it hands to work queues of guests and
 * processes (Scalable IOV).
 */
final class DsaFunction implements HwDevice {

    static final String PCI_TYPE = "pci";
    static final String IMS_TYPE = "idxd-ims";

    private final String id;
    private final String fullName;
    private final int requesterId;
    private final DsaConfig config;
    private final MessageEntries msix;
    private final MessageEntries ims;
    private final DsaRegisters bar0;
    private final Mmio bar2;
    private final Map<String, String> properties;

    DsaFunction(String id, int requesterId, byte[] dump, int imsMult, Map<String, String> properties, DevicePort port) {
        this.id = id;
        this.requesterId = requesterId;
        this.fullName = String.format("0000:%02x:%02x.%x", requesterId >> 8, (requesterId >> 3) & 0x1F, requesterId & 7);
        this.config = new DsaConfig(dump);
        int tableSize = (config.read16(DsaConfig.MSIX_CONTROL) & 0x7FF) + 1;
        this.msix = new MessageEntries(tableSize, config::msixGate, port,
                "device " + id + " has no message-signalled interrupt enabled");
        this.ims = new MessageEntries(256 * imsMult, () -> MessageEntries.OPEN, port,
                "device " + id + " has no IMS");
        config.attach(msix);
        config.bootQuiesce();
        long end = DsaRegisters.IMS_TABLE + (long) DsaRegisters.SLOT * 256 * imsMult;
        this.bar0 = new DsaRegisters(Math.max(0x10000, Long.highestOneBit(end - 1) << 1), imsMult, msix, ims);
        this.bar2 = new Portals(0x20000);
        this.properties = Map.copyOf(properties);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String fullName() {
        return fullName;
    }

    @Override
    public String storageType() {
        return PCI_TYPE;
    }

    @Override
    public List<String> storageTypes() {
        return List.of(PCI_TYPE, IMS_TYPE);
    }

    @Override
    public int requesterId() {
        return requesterId;
    }

    @Override
    public Optional<ConfigSpace> config() {
        return Optional.of(config);
    }

    @Override
    public Mmio region(int n) {
        if (n == 0) {
            return bar0;
        }
        if (n == 2) {
            return bar2;
        }
        throw new IllegalArgumentException("device " + id + " has no region " + n + " (its memory BARs are 0 and 2)");
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public void raise(int index) {
        if (index < 0 || index >= msix.size()) {
            throw new IllegalArgumentException("device " + id + " has no MSI-X entry " + index + " (table of " + msix.size() + ")");
        }
        msix.raise(index);
    }

    @Override
    public void raise(String storageType, int index) {
        if (PCI_TYPE.equals(storageType)) {
            raise(index);
        } else if (IMS_TYPE.equals(storageType)) {
            if (index < 0 || index >= imsSlots()) {
                throw new IllegalArgumentException("device " + id + " has no IMS slot " + index + " (" + imsSlots() + " slots)");
            }
            ims.raise(index);
        } else {
            throw new IllegalArgumentException("device " + id + " has no storage " + storageType + " (it has pci, " + IMS_TYPE + ")");
        }
    }

    private int imsSlots() {
        return (bar0.read32(DsaRegisters.GENCAP) >>> 25 & 0x3F) * 256;
    }

    /** BAR 2: the work-queue portals; not modelled (reads 0, writes ignored). */
    private record Portals(long size) implements Mmio {
        @Override
        public int read32(long offset) {
            return 0;
        }

        @Override
        public void write32(long offset, int value) {
        }
    }
}
