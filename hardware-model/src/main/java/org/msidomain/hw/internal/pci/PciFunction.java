package org.msidomain.hw.internal.pci;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.BootQuiesce;
import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.internal.InterruptFabric;
import org.msidomain.hw.internal.MachinePort;
import org.msidomain.hw.internal.platform.SlotDevice;
import org.msidomain.hw.internal.platform.SlotTable;

/**
 * A PCI function of the machine: its configuration space (from a real dump) and the device side of the
 * message-signalled interrupt capabilities it has. Created by {@link PciKind}; the machine counts its
 * raises in flight and flushes them before register reads, so it counts only what a register write
 * sends (an unmask releasing a pending message) and waits for the messages under way before a write.
 */
public final class PciFunction implements HwDevice, BootQuiesce {

    /** The storage type of every PCI function that can signal by message. */
    public static final String STORAGE_TYPE = "pci";

    private final PciAddress address;
    private final PciConfig config;
    private final InFlight inFlight;
    private final MsixModel msix;
    private final MsiModel msi;
    private final AtomicInteger exclusionViolations = new AtomicInteger();
    private final Map<Integer, BarRegion> bars = new TreeMap<>();
    /** BARs the MSI-X capability names that the function cannot have, with the reason. */
    private final Map<Integer, String> unusableBars = new TreeMap<>();

    private final Hypervisor owner;
    /** The PCI Power Management capability, or -1. */
    private final int pm;
    private final AtomicInteger suppressedInLowPower = new AtomicInteger();
    /** The IMS slot array in a BAR beside MSI-X (the secondary storage, type platform), or null. */
    private final SlotBar slots;
    private final Map<String, String> properties;

    /**
     * @param owner the hypervisor that owns the function's MSI table, or null if the OS programs it
     */
    public PciFunction(PciDump dump, MachinePort port, Hypervisor owner) {
        this(dump, port, owner, 0, -1);
    }

    /**
     * A function with an IMS slot array of {@code imsSlots} slots at offset 0 of memory BAR {@code imsBar}
     * (none if {@code imsSlots} is 0): a secondary storage of type {@value SlotDevice#STORAGE_TYPE}.
     *
     * @throws IllegalArgumentException naming {@code ims.bar} if that BAR cannot hold the array
     */
    public PciFunction(PciDump dump, MachinePort port, Hypervisor owner, int imsSlots, int imsBar) {
        this.owner = owner;
        this.address = dump.address();
        InterruptFabric fabric = port.fabric();
        int requesterId = port.requesterId() >= 0 ? port.requesterId() : address.requesterId();
        String name = address.toString(); // its id, made once: the writer its messages name
        inFlight = port.inFlight();
        this.config = new PciConfig(dump.bytes(), inFlight);
        config.allowWrites(0x04, 0x0406); // Command: memory space, bus master, INTx disable
        int msiCap = CapabilityFinder.find(config, MsiModel.ID);
        // a capability cut off by the end of the dump has no registers to model (lspci still prints its head)
        msi = msiCap < 0 || MsiModel.registersEnd(config, msiCap) > config.size() ? null
                : new MsiModel(config, msiCap, inFlight, fabric, requesterId, name);
        int msixCap = CapabilityFinder.find(config, MsixModel.ID);
        msix = msixCap < 0 || msixCap + 0x0C > config.size() ? null
                : new MsixModel(config, msixCap, inFlight, fabric, requesterId, name);
        if (msi != null && msix != null) {
            config.addHook(this::refuseBothEnabled);
        }
        int pmCap = CapabilityFinder.find(config, 0x01);
        pm = pmCap >= 0 && pmCap + 8 <= config.size() ? pmCap : -1;
        if (pm >= 0) {
            config.allowWrites(pm + 4, 0x3); // PMCSR PowerState
            config.addHook(this::powerTransition);
        }
        if (msix != null) {
            long tableEnd = msix.tableOffset() + msix.tableBytes();
            long pbaEnd = msix.pbaOffset() + msix.pbaBytes();
            if (msix.tableBar() == msix.pbaBar()) {
                addBar(msix.tableBar(), Math.max(tableEnd, pbaEnd), "table and PBA");
            } else {
                addBar(msix.tableBar(), tableEnd, "table");
                addBar(msix.pbaBar(), pbaEnd, "PBA");
            }
        }
        if (imsSlots > 0) {
            if (msi == null && msix == null) {
                throw new IllegalArgumentException(address + ": ims.slots: the function has neither MSI nor MSI-X; "
                        + "an IMS slot array is a secondary storage beside them");
            }
            String problem = imsBarProblem(imsBar, imsSlots);
            if (problem != null) {
                throw new IllegalArgumentException(address + ": ims.bar: " + problem);
            }
            long need = Math.max(4096, Long.highestOneBit(16L * imsSlots - 1) << 1);
            long align = Long.lowestOneBit(barAddress(imsBar));
            slots = new SlotBar(imsBar, align == 0 ? need : Math.min(need, align),
                    new SlotTable(imsSlots, fabric, requesterId, name), inFlight, () -> powerState() == 0);
            properties = Map.of("table", "slots", "slots", String.valueOf(imsSlots), "table.region",
                    String.valueOf(imsBar));
        } else {
            slots = null;
            properties = Map.of();
        }
    }

    /**
     * Why memory BAR {@code n} cannot hold {@code count} 16-byte slots from offset 0, or null if it can: a BAR
     * the header does not have or that is no memory BAR, one that reads 0 (not implemented), the BAR of the
     * MSI-X table or PBA, or one too small: a BAR is aligned to its size (PCI 3.0 §6.2.5.1), so one at an
     * address with lowest set bit {@code a} spans at most {@code a} bytes.
     */
    private String imsBarProblem(int n, int count) {
        if (n < 0) {
            return "missing (ims.slots needs the BAR that holds the slot array)";
        }
        String problem = barProblem(n);
        if (problem != null) {
            return problem;
        }
        if (config.peek32(0x10 + 4 * n) == 0) {
            return "BAR " + n + " is not implemented (its register reads 0)";
        }
        if (msix != null && msix.tableBar() == n) {
            return "BAR " + n + " holds the MSI-X table";
        }
        if (msix != null && msix.pbaBar() == n) {
            return "BAR " + n + " holds the MSI-X PBA";
        }
        long address = barAddress(n);
        long align = Long.lowestOneBit(address);
        if (address != 0 && 16L * count > align) {
            return String.format("BAR %d at 0x%x spans at most %d bytes (a BAR is aligned to its size), fewer than "
                    + "the %d of %d slots", n, address, align, 16L * count, count);
        }
        return null;
    }

    /** The address memory BAR {@code n} is assigned (both dwords of a 64-bit BAR), 0 if unassigned. */
    private long barAddress(int n) {
        int reg = config.peek32(0x10 + 4 * n);
        long address = reg & 0xFFFF_FFF0L;
        if (((reg >>> 1) & 3) == 2 && n < 5) {
            address |= (config.peek32(0x10 + 4 * (n + 1)) & 0xFFFF_FFFFL) << 32;
        }
        return address;
    }

    /**
     * Why the function has no memory BAR {@code n} the MSI-X capability could name, or null if it has: a
     * reserved BIR, a BAR beyond the header's (six for type 0, two for a bridge), an I/O BAR, or the upper
     * dword of a 64-bit BAR. Linux cannot map such a table (msix_map_region) and does not use MSI-X.
     */
    private String barProblem(int n) {
        int bars = switch (config.peek16(0x0E) & 0x7F) {
            case 0 -> 6;
            case 1 -> 2;
            default -> 0;
        };
        if (n > 5) {
            return "BIR " + n + " is reserved";
        }
        if (n >= bars) {
            return "a header of type " + (config.peek16(0x0E) & 0x7F) + " has " + bars + " BARs, not BAR " + n;
        }
        for (int i = 0; i < n; i++) {
            int reg = config.peek32(0x10 + 4 * i);
            if ((reg & 1) == 0 && ((reg >>> 1) & 3) == 2 && ++i == n) {
                return "BAR " + n + " is the upper dword of 64-bit BAR " + (n - 1);
            }
        }
        int reg = config.peek32(0x10 + 4 * n);
        if ((reg & 1) != 0) {
            return "BAR " + n + " is an I/O BAR";
        }
        return null;
    }

    /** Why a structure ending at {@code end} cannot lie in memory BAR {@code n}, or null if it can. */
    private String spanProblem(int n, long end) {
        boolean is64 = ((config.peek32(0x10 + 4 * n) >>> 1) & 3) == 2;
        return !is64 && end > 1L << 31 ? "it ends at 0x" + Long.toHexString(end) + ", beyond the 2 GiB a 32-bit BAR can span"
                : null;
    }

    /**
     * MSI and MSI-X enabled together is undefined (PCIe r6 §6.1.4): the model refuses the enable that
     * would make it so, leaving that bit clear, and counts the attempt.
     */
    private void refuseBothEnabled(int dwordOffset, int before, int after) {
        boolean msiEnable = dwordOffset == msi.capability() && (before & (1 << 16)) == 0 && (after & (1 << 16)) != 0;
        boolean msixEnable = dwordOffset == msix.capability() && (before & (1 << 31)) == 0 && (after & (1 << 31)) != 0;
        if (msiEnable && msix.enabled()) {
            config.deviceUpdate(msi.capability(), 0, 1 << 16);
            exclusionViolations.incrementAndGet();
        } else if (msixEnable && msi.enabled()) {
            config.deviceUpdate(msix.capability(), 0, 1 << 31);
            exclusionViolations.incrementAndGet();
        }
    }

    /** D3hot to D0 without No_Soft_Reset resets the function's interrupt state (PCI PM 1.2 §5.4). */
    private void powerTransition(int dwordOffset, int before, int after) {
        if (dwordOffset == pm + 4 && (before & 3) == 3 && (after & 3) == 0 && (after & 0x8) == 0) {
            if (msix != null) {
                msix.reset();
            }
            if (msi != null) {
                msi.reset();
            }
        }
    }

    /**
     * Linux's enumeration of the function (pci_msi_init, pci_msix_init): where MSI Enable or MSI-X Enable
     * is set, the control word is written back without it, so the function cannot fire a message it was
     * left with before a driver allocates. Nothing else changes (message, mask bits, Function Mask).
     */
    @Override
    public void quiesce() {
        if (slots != null) {
            slots.maskAll(); // IMS slots are masked until a driver unmasks them (reset value)
        }
        if (msi != null) {
            clearControlBit(msi.capability() + 2, 0x0001); // PCI_MSI_FLAGS_ENABLE
        }
        if (msix != null) {
            clearControlBit(msix.capability() + 2, 0x8000); // PCI_MSIX_FLAGS_ENABLE
        }
    }

    private void clearControlBit(int control, int bit) {
        int ctrl = config.read16(control);
        if ((ctrl & bit) != 0) {
            config.write16(control, ctrl & ~bit);
        }
    }

    /** The PCI power state: 0 (D0) to 3 (D3hot); 0 for a function without power management. */
    public int powerState() {
        return pm < 0 ? 0 : config.peek16(pm + 4) & 3;
    }

    /** Raises the function could not signal because it was not in D0. */
    public int suppressedInLowPower() {
        return suppressedInLowPower.get();
    }

    /** How many times software tried to enable MSI and MSI-X together (refused). */
    public int exclusionViolations() {
        return exclusionViolations.get();
    }

    private void addBar(int bar, long end, String what) {
        String problem = barProblem(bar);
        if (problem == null) {
            problem = spanProblem(bar, end);
        }
        if (problem != null) {
            unusableBars.put(bar, "its MSI-X " + what + " is in BAR " + bar + ", but " + problem);
            return;
        }
        long size = Math.max(4096, Long.highestOneBit(Math.max(1, end - 1)) << 1);
        bars.put(bar, new BarRegion(bar, size, msix, owner != null, () -> powerState() == 0));
    }

    public PciAddress address() {
        return address;
    }

    public PciConfig pciConfig() {
        return config;
    }

    @Override
    public Optional<Hypervisor> hypervisor() {
        return Optional.ofNullable(owner);
    }

    /**
     * Writes the OS made to the message words (address, data) of a hypervisor-owned MSI-X table, ignored by the
     * device; its writes to an entry's Vector Control (the mask bit) take effect and are not counted.
     */
    public int osTableWrites() {
        return bars.values().stream().mapToInt(BarRegion::osTableWrites).sum();
    }

    /** The MSI side of the device, if it has the capability. */
    public Optional<MsiModel> msi() {
        return Optional.ofNullable(msi);
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
        return msix != null || msi != null ? STORAGE_TYPE : "";
    }

    @Override
    public int requesterId() {
        return address.requesterId();
    }

    @Override
    public Optional<ConfigSpace> config() {
        return Optional.of(config);
    }

    /** The IMS slot array beside MSI-X, if the function has one. */
    public Optional<SlotTable> imsSlots() {
        return Optional.ofNullable(slots).map(SlotBar::table);
    }

    @Override
    public Mmio region(int n) {
        if (slots != null && slots.bar() == n) {
            return slots;
        }
        BarRegion bar = bars.get(n);
        if (bar == null) {
            String why = unusableBars.get(n);
            throw new IllegalArgumentException("device " + id() + (why != null ? ": " + why : " has no memory BAR " + n));
        }
        return bar;
    }

    /** With an IMS slot array: [pci, platform], the default storage first. */
    @Override
    public List<String> storageTypes() {
        return slots == null ? HwDevice.super.storageTypes() : List.of(STORAGE_TYPE, SlotDevice.STORAGE_TYPE);
    }

    /** With an IMS slot array, what the platform provider reads: table=slots, slots=N, table.region=BAR. */
    @Override
    public Map<String, String> properties() {
        return properties;
    }

    /** Raises merged at the source: MSI-X entry or MSI vector {@code index}, or an IMS slot. */
    @Override
    public long merged(String storageType, int index) {
        if (storageType.equals(storageType())) {
            return (msix != null ? msix.merged(index) : 0) + (msi != null ? msi.merged(index) : 0);
        }
        return slots != null && storageType.equals(SlotDevice.STORAGE_TYPE) ? slots.table().merged(index) : -1;
    }

    /** Raises slot {@code index} of the IMS array for {@value SlotDevice#STORAGE_TYPE}. Allocation-free. */
    @Override
    public void raise(String storageType, int index) {
        if (slots == null || !storageType.equals(SlotDevice.STORAGE_TYPE)) {
            HwDevice.super.raise(storageType, index);
            return;
        }
        if (index < 0 || index >= slots.table().slots()) {
            throw new IllegalArgumentException("device " + id() + " has no IMS slot " + index + " (0-"
                    + (slots.table().slots() - 1) + ")");
        }
        if (powerState() != 0) {
            suppressedInLowPower.incrementAndGet(); // a function not in D0 cannot send messages
            return;
        }
        slots.table().raise(index); // counted in flight by the machine around this call
    }

    @Override
    public void raise(int index) {
        if (powerState() != 0) {
            suppressedInLowPower.incrementAndGet(); // a function not in D0 cannot send messages
            return;
        }
        // counted in flight by the machine around this call
        if (msix != null && msix.enabled()) {
            msix.raise(index);
        } else if (msi != null && msi.enabled()) {
            msi.raise(index);
        } else {
            throw new IllegalStateException("device " + id() + " has no message-signalled interrupt enabled");
        }
    }
}
