package org.msidomain.hw.internal.pci;

/** The names pciutils gives standard capabilities (the first words of their {@code Capabilities:} line). */
final class CapabilityNames {

    private CapabilityNames() {
    }

    static String name(int id, int cap) {
        return switch (id) {
            case 0x01 -> "Power Management version " + (cap & 7);
            case 0x02 -> "AGP version " + ((cap >> 4) & 0xF) + "." + (cap & 0xF);
            case 0x03 -> "Vital Product Data";
            case 0x04 -> "Slot ID";
            case 0x06 -> "CompactPCI hot-swap <?>";
            case 0x07 -> "PCI-X";
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
            case 0x15 -> "Flattening Portal Bridge (FPB)";
            default -> String.format("#%02x [%04x]", id, cap);
        };
    }
}
