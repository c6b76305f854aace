package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;

import org.msidomain.hw.ConfigSpace;

/**
 * The extended capability list (from 0x100) as pciutils 3.9.0 prints it (ls-ecaps.c {@code show_ext_caps}):
 * every {@code Capabilities: [xxx vN]} line in full, Advanced Error Reporting's detail lines ({@link AerLines}) and
 * those of ACS, ARI, ATS, SR-IOV, PRI, LTR, Secondary PCI Express, PASID and DPC ({@link ExtendedLines}). Names checked against the real lspci
 * for every id from 0x00 to 0x3f.
 */
final class ExtendedCapabilities {

    private ExtendedCapabilities() {
    }

    /** @param expressType the type in the function's (last) Express capability, -1 without one */
    static void print(ConfigSpace c, int verbosity, int expressType, StringBuilder out) {
        int where = 0x100;
        boolean[] seen = new boolean[0x1000];
        do {
            if (!present(c, where, 4)) {
                break;
            }
            int header = c.read32(where);
            if (header == 0 || header == -1) {
                break;
            }
            int id = header & 0xFFFF;
            out.append(String.format("\tCapabilities: [%03x", where));
            if (verbosity > 1) {
                out.append(" v").append((header >> 16) & 0xF);
            }
            out.append("] ");
            if (seen[where]) {
                out.append("<chain looped>\n");
                break;
            }
            seen[where] = true;
            out.append(name(c, where, id));
            if (id == 0x01 && verbosity > 1) {
                AerLines.print(c, where, expressType, out);
            } else if (verbosity > 1) {
                ExtendedLines.print(c, where, id, out);
            }
            where = (header >>> 20) & ~3;
        } while (where != 0);
    }

    private static String name(ConfigSpace c, int where, int id) {
        return switch (id) {
            case 0x00 -> "Null\n";
            case 0x01 -> "Advanced Error Reporting\n";
            case 0x02, 0x09 -> "Virtual Channel\n";
            case 0x03 -> serialNumber(c, where);
            case 0x04 -> "Power Budgeting <?>\n";
            case 0x05 -> "Root Complex Link\n";
            case 0x06 -> "Root Complex Internal Link <?>\n";
            case 0x07 -> "Root Complex Event Collector Endpoint Association\n";
            case 0x08 -> "Multi-Function Virtual Channel <?>\n";
            case 0x0A -> "Root Complex Register Block <?>\n";
            case 0x0B -> vendorSpecific(c, where);
            case 0x0D -> "Access Control Services\n";
            case 0x0E -> "Alternative Routing-ID Interpretation (ARI)\n";
            case 0x0F -> "Address Translation Service (ATS)\n";
            case 0x10 -> "Single Root I/O Virtualization (SR-IOV)\n";
            case 0x11 -> "Multi-Root I/O Virtualization <?>\n";
            case 0x12 -> "Multicast\n";
            case 0x13 -> "Page Request Interface (PRI)\n";
            case 0x15 -> "Physical Resizable BAR\n";
            case 0x16 -> "Dynamic Power Allocation <?>\n";
            case 0x17 -> "Transaction Processing Hints\n";
            case 0x18 -> "Latency Tolerance Reporting\n";
            case 0x19 -> "Secondary PCI Express\n";
            case 0x1A -> "Protocol Multiplexing <?>\n";
            case 0x1B -> "Process Address Space ID (PASID)\n";
            case 0x1C -> "LN Requester <?>\n";
            case 0x1D -> "Downstream Port Containment\n";
            case 0x1E -> "L1 PM Substates\n";
            case 0x1F -> "Precision Time Measurement\n";
            case 0x20 -> "PCI Express over M_PHY <?>\n";
            case 0x21 -> "FRS Queueing <?>\n";
            case 0x22 -> "Readiness Time Reporting <?>\n";
            case 0x23 -> designatedVendorSpecific(c, where);
            case 0x24 -> "Virtual Resizable BAR\n";
            case 0x25 -> "Data Link Feature <?>\n";
            case 0x26 -> "Physical Layer 16.0 GT/s <?>\n";
            case 0x27 -> "Lane Margining at the Receiver <?>\n";
            case 0x28 -> "Hierarchy ID <?>\n";
            case 0x29 -> "Native PCIe Enclosure Management <?>\n";
            case 0x2E -> "Data Object Exchange\n";
            default -> "Extended Capability ID 0x" + Integer.toHexString(id) + "\n";
        };
    }

    /** Nothing at all, not even the newline, when the two serial number dwords are not in the dump. */
    private static String serialNumber(ConfigSpace c, int where) {
        if (!present(c, where + 4, 8)) {
            return "";
        }
        int low = c.read32(where + 4);
        int high = c.read32(where + 8);
        return String.format("Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x\n", high >>> 24,
                (high >> 16) & 0xFF, (high >> 8) & 0xFF, high & 0xFF, low >>> 24, (low >> 16) & 0xFF, (low >> 8) & 0xFF,
                low & 0xFF);
    }

    private static String vendorSpecific(ConfigSpace c, int where) {
        String head = "Vendor Specific Information: ";
        if (!present(c, where + 4, 4)) {
            return head + "<unreadable>\n";
        }
        int h = c.read32(where + 4);
        return head + String.format("ID=%04x Rev=%d Len=%03x <?>\n", h & 0xFFFF, (h >> 16) & 0xF, (h >>> 20) & 0xFFF);
    }

    /** 3.9.0 decodes the CXL vendor's (1e98) designated vendor-specific capabilities only. */
    private static String designatedVendorSpecific(ConfigSpace c, int where) {
        String head = "Designated Vendor-Specific: ";
        if (!present(c, where + 4, 6)) {
            return head + "<unreadable>\n";
        }
        int h = c.read32(where + 4);
        int vendor = h & 0xFFFF;
        return head + String.format("Vendor=%04x ID=%04x Rev=%d Len=%d", vendor, c.read16(where + 8), (h >> 16) & 0xF,
                (h >>> 20) & 0xFFF) + (vendor == 0x1E98 ? ": CXL\n" : " <?>\n");
    }
}
