package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/**
 * The standard capability list as pciutils 3.9.0 prints it (ls-caps.c {@code show_caps}): every
 * {@code Capabilities: [xx]} line in full, the MSI, MSI-X, HyperTransport MSI Mapping and Power Management
 * blocks in full, and the PCI Express registers ({@link ExpressLines}); the other capabilities' detail lines
 * are not printed. Then the extended list where pciutils walks it.
 */
final class Capabilities {

    private Capabilities() {
    }

    /** @param device and {@code function}: the function's slot, which the Express link registers depend on */
    static void print(ConfigSpace c, int pointer, int device, int function, int verbosity, StringBuilder out) {
        boolean extended = false;
        int expressType = -1;
        if ((c.read16(0x06) & 0x10) != 0) {
            int where = c.read8(pointer) & ~3;
            boolean[] seen = new boolean[256];
            while (where != 0) {
                out.append("\tCapabilities: ");
                if (!present(c, where, 4)) {
                    out.append("<access denied>\n");
                    break;
                }
                int id = c.read8(where);
                int next = c.read8(where + 1) & ~3;
                int cap = c.read16(where + 2);
                out.append(String.format("[%02x] ", where));
                if (seen[where]) {
                    out.append("<chain looped>\n");
                    break;
                }
                seen[where] = true;
                if (id == 0xFF) {
                    out.append("<chain broken>\n");
                    break;
                }
                switch (id) {
                    case 0x01 -> PowerManagementLines.print(c, where, cap, verbosity, out);
                    case 0x05 -> MessageCapabilities.msi(c, where, cap, verbosity, out);
                    case 0x11 -> MessageCapabilities.msix(c, where, cap, verbosity, out);
                    case 0x08 -> MessageCapabilities.hyperTransport(c, where, cap, verbosity, out);
                    case 0x07 -> {
                        extended = true;
                        out.append(pciX(c));
                    }
                    case 0x10 -> {
                        extended = true;
                        expressType = (cap >> 4) & 0xF;
                        out.append(express(cap, verbosity));
                        if (verbosity >= 2) {
                            ExpressLines.print(c, where, cap, device, function, out);
                        }
                    }
                    default -> out.append(line(c, where, id, cap, verbosity));
                }
                where = next;
            }
        }
        if (extended) {
            ExtendedCapabilities.print(c, verbosity, expressType, out);
        }
    }

    /**
     * Where libpci's capability scan (lib/caps.c) finds the first capability {@code id}, 0 if it does not:
     * bytes beyond the dump read as all ones, so the scan stops there as at an id of 0xff.
     */
    static int find(ConfigSpace c, int id) {
        if ((c.read16(0x06) & 0x10) == 0) {
            return 0;
        }
        boolean[] seen = new boolean[256];
        int where = c.read8(0x34) & ~3;
        while (where != 0 && present(c, where, 2) && !seen[where]) {
            seen[where] = true;
            int found = c.read8(where);
            if (found == 0xFF) {
                return 0;
            }
            if (found == id) {
                return where;
            }
            where = c.read8(where + 1) & ~3;
        }
        return 0;
    }

    static boolean present(ConfigSpace c, int offset, int length) {
        return offset >= 0 && offset + length <= c.size();
    }

    /** pciutils prints nothing, not even the newline, for PCI-X in a CardBus bridge. */
    private static String pciX(ConfigSpace c) {
        return switch (c.read8(0x0E) & 0x7F) {
            case 0 -> "PCI-X non-bridge device\n";
            case 1 -> "PCI-X bridge device\n";
            default -> "";
        };
    }

    private static String express(int cap, int verbosity) {
        int type = (cap >> 4) & 0xF;
        String name = switch (type) {
            case 0 -> "Endpoint";
            case 1 -> "Legacy Endpoint";
            case 4 -> String.format("Root Port (Slot%c)", flag(cap, 0x100));
            case 5 -> "Upstream Port";
            case 6 -> String.format("Downstream Port (Slot%c)", flag(cap, 0x100));
            case 7 -> "PCI-Express to PCI/PCI-X Bridge";
            case 8 -> String.format("PCI/PCI-X to PCI-Express Bridge (Slot%c)", flag(cap, 0x100));
            case 9 -> "Root Complex Integrated Endpoint";
            case 10 -> "Root Complex Event Collector";
            default -> "Unknown type " + type;
        };
        return "Express " + (verbosity >= 2 ? "(v" + (cap & 0xF) + ") " : "") + name
                + String.format(", MSI %02x\n", (cap & 0x3E00) >> 9);
    }

    /** The whole line of a capability whose details are not printed. */
    private static String line(ConfigSpace c, int where, int id, int cap, int verbosity) {
        return switch (id) {
            case 0x00 -> "Null\n";
            case 0x02 -> String.format("AGP version %x.%x\n", (cap >> 4) & 0xF, cap & 0xF);
            case 0x03 -> "Vital Product Data\n";
            case 0x04 -> String.format("Slot ID: %d slots, First%c, chassis %02x\n", cap & 0x1F, flag(cap, 0x20), cap >> 8);
            case 0x06 -> "CompactPCI hot-swap <?>\n";
            case 0x09 -> "Vendor Specific Information: " + vendorSpecific(c, where, cap);
            case 0x0A -> String.format("Debug port: BAR=%d offset=%04x\n", cap >> 13, cap & 0x1FFF);
            case 0x0B -> "CompactPCI central resource control <?>\n";
            case 0x0C -> "Hot-plug capable\n";
            // pciutils prints nothing, not even the newline, when the 8 bytes are not all in the dump
            case 0x0D -> present(c, where, 8)
                    ? String.format("Subsystem: Device %04x:%04x\n", c.read16(where + 4), c.read16(where + 6)) : "";
            case 0x0E -> "AGP3 <?>\n";
            case 0x0F -> "Secure device <?>\n";
            case 0x12 -> sata(c, where, cap, verbosity);
            case 0x13 -> "PCI Advanced Features\n" + advancedFeatures(c, where, verbosity);
            case 0x14 -> enhancedAllocation(c, where, cap, verbosity);
            default -> String.format("Capability ID %#x [%04x]\n", id, cap); // 3.9.0 does not know FPB (0x15) yet
        };
    }

    /** ls-caps-vendor.c: only virtio devices' capabilities are decoded in 3.9.0. */
    private static String vendorSpecific(ConfigSpace c, int where, int cap) {
        int length = cap & 0xFF;
        int vendor = c.read16(0x00);
        int device = c.read16(0x02);
        if (vendor == 0x1AF4 && device >= 0x1000 && device <= 0x107F && length >= 16 && present(c, where, length)) {
            String type = switch (cap >> 8) {
                case 1 -> "CommonCfg";
                case 2 -> "Notify";
                case 3 -> "ISR";
                case 4 -> "DeviceCfg";
                case 8 -> "SharedMemory";
                default -> "<unknown>";
            };
            return "VirtIO: " + type + "\n";
        }
        return String.format("Len=%02x <?>\n", length);
    }

    private static String sata(ConfigSpace c, int where, int cap, int verbosity) {
        String head = String.format("SATA HBA v%d.%d", (cap >> 4) & 0xF, cap & 0xF);
        if (verbosity < 2 || !present(c, where + 4, 4)) {
            return head + "\n";
        }
        int bars = c.read32(where + 4);
        int bar = bars & 0xF;
        if (bar >= 4 && bar <= 9) {
            return head + String.format(" BAR%d Offset=%08x\n", bar - 4, (bars >>> 4) & 0xFFFFF);
        }
        return head + (bar == 15 ? " InCfgSpace\n" : " BAR??" + bar + "\n");
    }

    /**
     * cap_ea: the header line and with {@code -vv} each entry. Where pciutils 3.9.0 reads an entry's base or
     * offset beyond the dump it stops with "Internal bug" and prints nothing at all; the model stops the entry there.
     */
    private static String enhancedAllocation(ConfigSpace c, int where, int cap, int verbosity) {
        StringBuilder out = new StringBuilder("Enhanced Allocation (EA): NumEntries=" + (cap & 0x3F));
        int entryBase = where + 4;
        if ((c.read8(0x0E) & 0x7F) == 1) {
            entryBase += 4;
            if (!present(c, where + 4, 2)) {
                return out.append('\n').toString();
            }
            out.append(String.format(", secondary=%d, subordinate=%d", c.read8(where + 4), c.read8(where + 5)));
        }
        out.append('\n');
        if (verbosity < 2) {
            return out.toString();
        }
        for (int entry = 0; entry < (cap & 0x3F); entry++) {
            if (!present(c, entryBase, 4)) {
                break;
            }
            int header = c.read32(entryBase);
            int size = header & 7;
            int bei = (header >> 4) & 0xF;
            if (!present(c, entryBase + 4, size * 4)) {
                break;
            }
            out.append(String.format("\t\tEntry %d: Enable%c Writable%c EntrySize=%d\n", entry, flag(header, 1 << 31),
                    flag(header, 1 << 30), size));
            out.append("\t\t\t BAR Equivalent Indicator: ").append(bei <= 5 ? "BAR " + bei : switch (bei) {
                case 6 -> "resource behind function";
                case 7 -> "not indicated";
                case 8 -> "expansion ROM";
                case 15 -> "reserved";
                default -> "VF-BAR " + (bei - 9);
            }).append('\n');
            out.append("\t\t\t PrimaryProperties: ").append(eaProperty((header >> 8) & 0xFF, false)).append('\n');
            out.append("\t\t\t SecondaryProperties: ").append(eaProperty((header >> 16) & 0xFF, true)).append('\n');
            if (!present(c, entryBase + 4, 8)) {
                break;
            }
            int base = c.read32(entryBase + 4);
            int maxOffset = c.read32(entryBase + 8);
            int maxOffsetHigh = entryBase + 12;
            out.append("\t\t\t Base: ");
            if ((base & 2) != 0) {
                if (!present(c, entryBase + 12, 4)) {
                    break;
                }
                out.append(Integer.toHexString(c.read32(entryBase + 12)));
                maxOffsetHigh += 4;
            }
            out.append(String.format("%08x\n", base & ~3));
            out.append("\t\t\t MaxOffset: ");
            if ((maxOffset & 2) != 0) {
                if (!present(c, maxOffsetHigh, 4)) {
                    break;
                }
                out.append(Integer.toHexString(c.read32(maxOffsetHigh)));
            }
            out.append(String.format("%08x\n", maxOffset | 3));
            entryBase += 4 + 4 * size;
        }
        return out.toString();
    }

    private static String eaProperty(int p, boolean secondary) {
        return switch (p) {
            case 0x00 -> "memory space, non-prefetchable";
            case 0x01 -> "memory space, prefetchable";
            case 0x02 -> "I/O space";
            case 0x03 -> "VF memory space, prefetchable";
            case 0x04 -> "VF memory space, non-prefetchable";
            case 0x05 -> "allocation behind bridge, non-prefetchable memory";
            case 0x06 -> "allocation behind bridge, prefetchable memory";
            case 0x07 -> "allocation behind bridge, I/O space";
            case 0xFD -> "memory space resource unavailable for use";
            case 0xFE -> "I/O space resource unavailable for use";
            case 0xFF -> secondary ? "entry unavailable for use, PrimaryProperties should be used" : "entry unavailable for use";
            default -> String.format("[%02x]", p);
        };
    }

    /** cap_af: the AF capability, control and status bytes (offsets 3 to 5). */
    private static String advancedFeatures(ConfigSpace c, int where, int verbosity) {
        if (verbosity < 2 || !present(c, where + 3, 3)) {
            return "";
        }
        int cap = c.read8(where + 3);
        return String.format("\t\tAFCap: TP%c FLR%c\n\t\tAFCtrl: FLR%c\n\t\tAFStatus: TP%c\n", flag(cap, 1), flag(cap, 2),
                flag(c.read8(where + 4), 1), flag(c.read8(where + 5), 1));
    }
}
