package org.msidomain.hw.internal.pci;

/**
 * The names pciutils 3.9.0 gives standard capabilities (the first words of their {@code Capabilities:}
 * line), checked against the real lspci by {@code PciutilsDifferentialTest}.
 */
final class CapabilityNames {

    private CapabilityNames() {
    }

    /** @param headerType the function's header type (0 normal, 1 bridge, 2 CardBus) */
    static String name(int id, int cap, int headerType) {
        return switch (id) {
            case 0x00 -> "Null";
            case 0x01 -> "Power Management version " + (cap & 7);
            case 0x02 -> String.format("AGP version %x.%x", (cap >> 4) & 0xF, cap & 0xF);
            case 0x03 -> "Vital Product Data";
            case 0x04 -> "Slot ID";
            case 0x06 -> "CompactPCI hot-swap <?>";
            case 0x07 -> switch (headerType) { // and for a CardBus bridge pciutils prints nothing
                case 0 -> "PCI-X non-bridge device";
                case 1 -> "PCI-X bridge device";
                default -> "";
            };
            case 0x08 -> "HyperTransport";
            case 0x09 -> "Vendor Specific Information";
            case 0x0A -> "Debug port";
            case 0x0B -> "CompactPCI central resource control <?>";
            case 0x0C -> "Hot-plug capable";
            case 0x0D -> "Subsystem";
            case 0x0E -> "AGP3 <?>";
            case 0x0F -> "Secure device <?>";
            case 0x10 -> "Express";
            case 0x12 -> "SATA HBA";
            case 0x13 -> "PCI Advanced Features";
            case 0x14 -> "Enhanced Allocation (EA)";
            default -> String.format("Capability ID %#x [%04x]", id, cap); // 3.9.0 does not know FPB (0x15) yet
        };
    }
}
