package org.msidomain.hw.internal;

import java.util.List;
import java.util.Set;

import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;

/**
 * What a machine is built from: CPUs with their APIC ids and the PCI functions' config spaces.
 *
 * @param apicIds  the APIC id of each CPU, by CPU number
 * @param pci      the PCI functions
 * @param hypervisorOwned the PCI functions whose MSI table a hypervisor programs
 * @param hpet     the HPET block, or null
 * @param dmar     the DMAR units
 * @param platform the platform devices
 * @param problems inputs that were refused (one line each), so the machine booted without them
 * @param asDumped boot without the OS's enumeration: the PCI functions keep their dumps' MSI and MSI-X state
 */
public record MachineSpec(List<Integer> apicIds, List<PciDump> pci, Set<PciAddress> hypervisorOwned,
        MachineDescription.HpetEntry hpet, List<MachineDescription.DmarEntry> dmar,
        List<MachineDescription.PlatformEntry> platform, List<String> problems, boolean asDumped) {

    public MachineSpec {
        apicIds = List.copyOf(apicIds);
        pci = List.copyOf(pci);
        hypervisorOwned = Set.copyOf(hypervisorOwned);
        dmar = dmar == null ? List.of() : List.copyOf(dmar);
        platform = platform == null ? List.of() : List.copyOf(platform);
        problems = List.copyOf(problems);
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
}
