package org.msidomain.hw.internal.pci;

import java.util.ArrayList;
import java.util.List;

import org.msidomain.hw.ConfigSpace;

/**
 * Prints PCI functions as pciutils 3.9.0's {@code lspci} does (ls-caps.c {@code show_caps},
 * {@code cap_msi}, {@code cap_msix}); without a pci.ids database devices are named by their numbers.
 * The MSI and MSI-X blocks are byte-for-byte pciutils', including its rules for dumps that end early.
 */
public final class Lspci {

    private Lspci() {
    }

    public static String print(List<PciView> devices, int verbosity) {
        List<PciView> sorted = new ArrayList<>(devices);
        sorted.sort((a, b) -> a.address().compareTo(b.address()));
        boolean domains = sorted.stream().anyMatch(v -> v.address().domain() != 0);
        StringBuilder out = new StringBuilder();
        for (PciView v : sorted) {
            ConfigSpace c = v.config();
            if (c.size() < 64) {
                continue; // pciutils cannot read the standard header either: it reports it on stderr and goes on
            }
            out.append(domains ? v.address().full() : v.address().toString()).append(' ');
            out.append(String.format("Class %04x: Device %04x:%04x", c.read16(0x0A), c.read16(0x00), c.read16(0x02)));
            int rev = c.read8(0x08);
            if (rev != 0) {
                out.append(String.format(" (rev %02x)", rev));
            }
            out.append('\n');
            if (verbosity > 0) {
                showCaps(c, verbosity, out);
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static boolean present(ConfigSpace c, int offset, int length) {
        return offset + length <= c.size();
    }

    private static void showCaps(ConfigSpace c, int verbosity, StringBuilder out) {
        if ((c.read16(0x06) & 0x10) == 0) {
            return;
        }
        int type = c.read8(0x0E) & 0x7F;
        if (type > 2) {
            out.append(String.format("\t!!! Unknown header type %02x\n", type));
            return;
        }
        if (type == 2 && c.size() < 128) {
            out.append("\t<access denied to the rest>\n"); // a CardBus header is 128 bytes (show_htype2)
            return;
        }
        int where = c.read8(type == 2 ? 0x14 : 0x34) & ~3;
        boolean[] seen = new boolean[256];
        while (where != 0) {
            out.append("\tCapabilities: ");
            if (!present(c, where, 4)) {
                out.append("<access denied>\n");
                return;
            }
            int id = c.read8(where);
            int next = c.read8(where + 1) & ~3;
            int cap = c.read16(where + 2);
            out.append(String.format("[%02x] ", where));
            if (seen[where]) {
                out.append("<chain looped>\n");
                return;
            }
            seen[where] = true;
            if (id == 0xFF) {
                out.append("<chain broken>\n");
                return;
            }
            switch (id) {
                case 0x05 -> msi(c, where, cap, verbosity, out);
                case 0x11 -> msix(c, where, cap, verbosity, out);
                default -> {
                    // pciutils 3.9.0 prints nothing, not even the newline, for PCI-X in a CardBus bridge and
                    // for a subsystem id capability whose 8 bytes are not all in the dump
                    String name = id == 0x0D && !present(c, where, 8) ? "" : CapabilityNames.name(id, cap, type);
                    out.append(name).append(name.isEmpty() ? "" : "\n");
                }
            }
            where = next;
        }
    }

    private static char flag(int value, int bit) {
        return (value & bit) != 0 ? '+' : '-';
    }

    private static void msi(ConfigSpace c, int where, int ctrl, int verbosity, StringBuilder out) {
        out.append(String.format("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c\n", flag(ctrl, 0x1),
                1 << ((ctrl & 0x70) >> 4), 1 << ((ctrl & 0x0E) >> 1), flag(ctrl, 0x100), flag(ctrl, 0x80)));
        if (verbosity < 2) {
            return;
        }
        boolean is64 = (ctrl & 0x80) != 0;
        if (!present(c, where + 4, (is64 ? 0x0C : 0x08) + 2 - 4)) {
            return;
        }
        out.append("\t\tAddress: ");
        int data;
        if (is64) {
            out.append(String.format("%08x", c.read32(where + 8)));
            data = c.read16(where + 0x0C);
        } else {
            data = c.read16(where + 0x08);
        }
        out.append(String.format("%08x  Data: %04x\n", c.read32(where + 4), data));
        if ((ctrl & 0x100) != 0) {
            int mask = where + (is64 ? 0x10 : 0x0C);
            if (!present(c, mask, 8)) {
                return;
            }
            out.append(String.format("\t\tMasking: %08x  Pending: %08x\n", c.read32(mask), c.read32(mask + 4)));
        }
    }

    private static void msix(ConfigSpace c, int where, int ctrl, int verbosity, StringBuilder out) {
        out.append(String.format("MSI-X: Enable%c Count=%d Masked%c\n", flag(ctrl, 0x8000), (ctrl & 0x7FF) + 1,
                flag(ctrl, 0x4000)));
        if (verbosity < 2 || !present(c, where + 4, 8)) {
            return;
        }
        int table = c.read32(where + 4);
        out.append(String.format("\t\tVector table: BAR=%d offset=%08x\n", table & 7, table & ~7));
        int pba = c.read32(where + 8);
        out.append(String.format("\t\tPBA: BAR=%d offset=%08x\n", pba & 7, pba & ~7));
    }
}
