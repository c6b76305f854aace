package org.msidomain.hw.internal.pci;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.InterruptFabric;

/**
 * A PCI function of the machine: its configuration space (from a real dump) and the device side of the
 * message-signalled interrupt capabilities it has.
 */
public final class PciFunction implements HwDevice {

    /** The storage type of every PCI function that can signal by message. */
    public static final String STORAGE_TYPE = "pci";

    private final PciAddress address;
    private final PciConfig config;
    private final InFlight inFlight = new InFlight();
    private final MsixModel msix;
    private final Map<Integer, BarRegion> bars = new TreeMap<>();

    public PciFunction(PciDump dump, InterruptFabric fabric) {
        this.address = dump.address();
        this.config = new PciConfig(dump.bytes());
        config.allowWrites(0x04, 0x0406); // Command: memory space, bus master, INTx disable
        int msixCap = CapabilityFinder.find(config, MsixModel.ID);
        msix = msixCap < 0 ? null : new MsixModel(config, msixCap, inFlight, fabric, address.requesterId());
        if (msix != null) {
            long tableEnd = msix.tableOffset() + msix.tableBytes();
            long pbaEnd = msix.pbaOffset() + msix.pbaBytes();
            if (msix.tableBar() == msix.pbaBar()) {
                addBar(msix.tableBar(), Math.max(tableEnd, pbaEnd));
            } else {
                addBar(msix.tableBar(), tableEnd);
                addBar(msix.pbaBar(), pbaEnd);
            }
        }
    }

    private void addBar(int bar, long end) {
        long size = Math.max(4096, Long.highestOneBit(Math.max(1, end - 1)) << 1);
        bars.put(bar, new BarRegion(bar, size, msix));
    }

    public PciAddress address() {
        return address;
    }

    public PciConfig pciConfig() {
        return config;
    }

    /** The MSI-X side of the device, if it has the capability. */
    public Optional<MsixModel> msix() {
        return Optional.ofNullable(msix);
    }

    /** Runs {@code observer} after every register write (config space and BARs), for tests. */
    public void setWriteObserver(Runnable observer) {
        config.setWriteObserver(observer);
        bars.values().forEach(b -> b.setWriteObserver(observer));
    }

    @Override
    public String id() {
        return address.toString();
    }

    @Override
    public String fullName() {
        return address.full();
    }

    @Override
    public String storageType() {
        return msix != null ? STORAGE_TYPE : "";
    }

    @Override
    public int requesterId() {
        return address.requesterId();
    }

    @Override
    public Optional<ConfigSpace> config() {
        return Optional.of(config);
    }

    @Override
    public Mmio region(int n) {
        BarRegion bar = bars.get(n);
        if (bar == null) {
            throw new IllegalArgumentException("device " + id() + " has no memory BAR " + n);
        }
        return bar;
    }

    @Override
    public Map<String, String> properties() {
        return Map.of();
    }

    @Override
    public void raise(int index) {
        if (msix == null || !msix.enabled()) {
            throw new IllegalStateException("device " + id() + " has no message-signalled interrupt enabled");
        }
        inFlight.begin();
        try {
            msix.raise(index);
        } finally {
            inFlight.end();
        }
    }
}
