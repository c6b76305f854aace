package org.msidomain.hw.internal;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JSON machine description ({@code --machine FILE}); the schema is documented in the README.
 *
 * @param cpus    the number of CPUs (1-256)
 * @param apicIds the APIC id of each CPU; by default CPU n has id n
 * @param pci      the PCI functions
 * @param hpet     the HPET block, if the machine has one
 * @param dmar     the DMAR (VT-d) units
 * @param platform the platform devices with their own message tables
 * @param asDumped boot without the OS's enumeration, so the PCI functions keep their dumps' MSI/MSI-X state
 * @param devices  devices of any kind, each created by its kind's service
 */
public record MachineDescription(Integer cpus, List<Integer> apicIds, List<PciEntry> pci, HpetEntry hpet,
        List<DmarEntry> dmar, List<PlatformEntry> platform, Boolean asDumped, List<DeviceEntry> devices) {

    /**
     * A device of any kind ({@code "devices"}).
     *
     * @param kind        its kind, as the kind's service names it ({@code msi.device.kind})
     * @param name        its device id
     * @param requesterId the requester id its messages carry, {@code bb:dd.f}; for kind {@code pci}, by
     *                    default its address
     * @param properties  the kind's properties: strings, numbers or booleans, passed on as text
     */
    public record DeviceEntry(String kind, String name, String requesterId, Map<String, JsonNode> properties) {
    }

    /**
     * The HPET block.
     *
     * @param timers    the number of timers (3-32)
     * @param fsbTimers the timers that can deliver by FSB message
     */
    public record HpetEntry(Integer timers, List<Integer> fsbTimers) {
    }

    /**
     * A DMAR unit.
     *
     * @param name    its device id, e.g. {@code dmar0}
     * @param irtSize with interrupt remapping on, the entries of its remapping table (a power of two);
     *                absent or 0 for no remapping
     * @param hpetSourceId the source id {@code bb:dd.f} of the HPET in its device scope (ACPI DMAR device scope
     *                type 4, MSI-capable HPET), which the HPET's writes carry; the remapping unit's default is
     *                {@code 00:1f.0}
     */
    public record DmarEntry(String name, Integer irtSize, String hpetSourceId) {

        public DmarEntry(String name, Integer irtSize) {
            this(name, irtSize, null);
        }
    }

    /**
     * A platform device with a device-specific message table.
     *
     * @param name   its device id
     * @param slots  the number of message slots (1-2048)
     * @param queued whether the table is written only through a command queue
     * @param requesterId the requester id {@code bb:dd.f} its writes carry (its source id under remapping), or null
     */
    public record PlatformEntry(String name, Integer slots, Boolean queued, String requesterId) {

        public PlatformEntry(String name, Integer slots, Boolean queued) {
            this(name, slots, queued, null);
        }
    }

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
