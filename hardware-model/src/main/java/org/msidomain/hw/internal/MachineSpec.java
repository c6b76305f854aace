package org.msidomain.hw.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;

/**
 * What a machine is built from: CPUs with their APIC ids and the described devices. The sections of the
 * description ({@code pci}, {@code hpet}, {@code dmar}, {@code platform}) are kept as read and become
 * device entries of the built-in kinds in {@link #deviceSpecs()}, ahead of the generic {@code devices}.
 *
 * @param apicIds  the APIC id of each CPU, by CPU number
 * @param pci      the PCI functions
 * @param hypervisorOwned the PCI functions whose MSI table a hypervisor programs
 * @param hpet     the HPET block, or null
 * @param dmar     the DMAR units
 * @param platform the platform devices
 * @param problems inputs that were refused (one line each), so the machine booted without them
 * @param asDumped boot without the OS's enumeration: the PCI functions keep their dumps' MSI and MSI-X state
 * @param devices  the generic device entries ({@code "devices"})
 * @param arch     the interrupt architecture and its controller's parameters
 */
public record MachineSpec(List<Integer> apicIds, List<PciDump> pci, Set<PciAddress> hypervisorOwned,
        MachineDescription.HpetEntry hpet, List<MachineDescription.DmarEntry> dmar,
        List<MachineDescription.PlatformEntry> platform, List<String> problems, boolean asDumped,
        List<DeviceSpec> devices, ArchSpec arch) {

    public MachineSpec {
        arch = arch == null ? ArchSpec.DEFAULT : arch;
        apicIds = List.copyOf(apicIds);
        pci = List.copyOf(pci);
        hypervisorOwned = Set.copyOf(hypervisorOwned);
        dmar = dmar == null ? List.of() : List.copyOf(dmar);
        platform = platform == null ? List.of() : List.copyOf(platform);
        problems = List.copyOf(problems);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** An x86 machine. */
    public MachineSpec(List<Integer> apicIds, List<PciDump> pci, Set<PciAddress> hypervisorOwned,
            MachineDescription.HpetEntry hpet, List<MachineDescription.DmarEntry> dmar,
            List<MachineDescription.PlatformEntry> platform, List<String> problems, boolean asDumped,
            List<DeviceSpec> devices) {
        this(apicIds, pci, hypervisorOwned, hpet, dmar, platform, problems, asDumped, devices, ArchSpec.DEFAULT);
    }

    /** A machine of the description's sections only. */
    public MachineSpec(List<Integer> apicIds, List<PciDump> pci, Set<PciAddress> hypervisorOwned,
            MachineDescription.HpetEntry hpet, List<MachineDescription.DmarEntry> dmar,
            List<MachineDescription.PlatformEntry> platform, List<String> problems, boolean asDumped) {
        this(apicIds, pci, hypervisorOwned, hpet, dmar, platform, problems, asDumped, List.of());
    }

    /** A machine booted with the OS's enumeration. */
    public MachineSpec(List<Integer> apicIds, List<PciDump> pci, Set<PciAddress> hypervisorOwned,
            MachineDescription.HpetEntry hpet, List<MachineDescription.DmarEntry> dmar,
            List<MachineDescription.PlatformEntry> platform, List<String> problems) {
        this(apicIds, pci, hypervisorOwned, hpet, dmar, platform, problems, false);
    }

    /** A machine of PCI functions only. */
    public MachineSpec(List<Integer> apicIds, List<PciDump> pci, List<String> problems) {
        this(apicIds, pci, Set.of(), null, List.of(), List.of(), problems);
    }

    /**
     * Every described device as an entry of its kind, in the machine's order: the HPET, the DMAR units,
     * the platform devices, the PCI functions (kind {@code pci}, the config space as hex), then the
     * generic entries.
     */
    public List<DeviceSpec> deviceSpecs() {
        List<DeviceSpec> specs = new ArrayList<>();
        Path none = Path.of("");
        if (hpet != null) {
            Map<String, String> p = new LinkedHashMap<>();
            if (hpet.timers() != null) {
                p.put("timers", hpet.timers().toString());
            }
            if (hpet.fsbTimers() != null) {
                p.put("fsbTimers", String.join(",", hpet.fsbTimers().stream().map(String::valueOf).toList()));
            }
            specs.add(new DeviceSpec("hpet", "hpet", -1, p, none));
        }
        for (MachineDescription.DmarEntry d : dmar) {
            Map<String, String> p = new LinkedHashMap<>();
            if (d.irtSize() != null) {
                p.put("irtSize", d.irtSize().toString());
            }
            if (d.hpetSourceId() != null) {
                p.put(SourceIds.HPET_SOURCE_ID, d.hpetSourceId());
            }
            specs.add(new DeviceSpec("dmar", d.name(), -1, p, none));
        }
        for (MachineDescription.PlatformEntry p : platform) {
            int requesterId = p.requesterId() == null ? -1 : PciAddress.parse(p.requesterId()).requesterId();
            specs.add(new DeviceSpec("platform", p.name(), requesterId, Map.of("slots", String.valueOf(p.slots()),
                    "queued", String.valueOf(Boolean.TRUE.equals(p.queued()))), none));
        }
        for (PciDump dump : pci) {
            specs.add(new DeviceSpec("pci", dump.address().toString(), dump.address().requesterId(),
                    Map.of("config", HexFormat.of().formatHex(dump.bytes()),
                            "owner", hypervisorOwned.contains(dump.address()) ? "hypervisor" : "os"), none));
        }
        specs.addAll(devices);
        return specs;
    }
}
