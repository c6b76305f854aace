package org.msidomain.hw.internal;

import java.util.List;

/**
 * The JSON machine description ({@code --machine FILE}); the schema is documented in the README.
 *
 * @param cpus    the number of CPUs (1-256)
 * @param apicIds the APIC id of each CPU; by default CPU n has id n
 * @param pci     the PCI functions
 */
public record MachineDescription(Integer cpus, List<Integer> apicIds, List<PciEntry> pci) {

    /**
     * One PCI function.
     *
     * @param dump the config-space dump (binary, or lspci hex text), relative to the description
     * @param slot  the address to put it at, overriding the dump's own ({@code bb:dd.f})
     * @param owner who programs its MSI table: {@code os} (default) or {@code hypervisor}
     */
    public record PciEntry(String dump, String slot, String owner) {
    }
}
