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
 * @param arch     the interrupt architecture: {@code x86} (absent), {@code arm64-gicv3-its}, {@code arm64-gicv2m},
 *                 {@code riscv-aia-imsic}
 * @param its      the ITS's parameters (arch {@code arm64-gicv3-its})
 * @param gicv2m   the v2m frame's parameters (arch {@code arm64-gicv2m})
 * @param imsic    the IMSIC's parameters (arch {@code riscv-aia-imsic})
 */
public record MachineDescription(Integer cpus, List<Integer> apicIds, List<PciEntry> pci, HpetEntry hpet,
        List<DmarEntry> dmar, List<PlatformEntry> platform, Boolean asDumped, List<DeviceEntry> devices,
        String arch, ItsEntry its, GicV2mEntry gicv2m, ImsicEntry imsic) {

    /**
     * The GICv3 ITS.
     *
     * @param base its base address, a hex string ({@code "0x08080000"}), 64 KiB aligned
     * @param lpis the LPIs of its configuration table (INTIDs 8192 and up), 1-57344
     */
    public record ItsEntry(String base, Integer lpis) {
    }

    /**
     * The GICv2m MSI frame.
     *
     * @param frame    its base address, a hex string, 4 KiB aligned
     * @param spiBase  its first SPI INTID (MSI_TYPER bits 25:16)
     * @param spiCount its SPIs (MSI_TYPER bits 9:0)
     */
    public record GicV2mEntry(String frame, Integer spiBase, Integer spiCount) {
    }

    /**
     * The IMSIC's supervisor interrupt files.
     *
     * @param base       hart 0's file, a hex string, 4 KiB aligned
     * @param stride     the distance between two harts' files, a multiple of 4096
     * @param identities a file's interrupt identities: 63, 127, ... 2047
     */
    public record ImsicEntry(String base, Integer stride, Integer identities) {
    }

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
