package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/**
 * The capabilities that say where a function's messages go, printed in full as pciutils 3.9.0 does
 * (ls-caps.c {@code cap_msi}, {@code cap_msix}, {@code cap_ht}), including its rules for dumps that end early:
 * it fetches before it prints, so a detail line whose registers are missing is left out.
 */
final class MessageCapabilities {

    private MessageCapabilities() {
    }

    static void msi(ConfigSpace c, int where, int ctrl, int verbosity, StringBuilder out) {
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

    static void msix(ConfigSpace c, int where, int ctrl, int verbosity, StringBuilder out) {
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

    /**
     * A HyperTransport capability's line; for an MSI Mapping one that is not fixed, at {@code -vv}, also the
     * address its messages are mapped at. The other HyperTransport blocks' details are not printed.
     */
    static void hyperTransport(ConfigSpace c, int where, int cmd, int verbosity, StringBuilder out) {
        switch (cmd & 0xE000) {
            case 0x0000 -> {
                out.append("HyperTransport: Slave or Primary Interface\n");
                return;
            }
            case 0x2000 -> {
                out.append("HyperTransport: Host or Secondary Interface\n");
                return;
            }
            default -> {
            }
        }
        int type = cmd & 0xF800;
        switch (type) {
            case 0x4000 -> out.append("HyperTransport: Switch\n");
            case 0x8000 -> out.append("HyperTransport: Interrupt Discovery and Configuration\n");
            case 0x8800 -> out.append(String.format("HyperTransport: Revision ID: %d.%02d\n", (cmd & 0xE0) >> 5, cmd & 0x1F));
            case 0x9000 -> out.append("HyperTransport: UnitID Clumping\n");
            case 0x9800 -> out.append("HyperTransport: Extended Configuration Space Access\n");
            case 0xA000 -> out.append("HyperTransport: Address Mapping\n");
            case 0xA800 -> {
                out.append(String.format("HyperTransport: MSI Mapping Enable%c Fixed%c\n", flag(cmd, 0x1), flag(cmd, 0x2)));
                if (verbosity >= 2 && (cmd & 0x2) == 0 && present(c, where + 4, 8)) {
                    long low = c.read32(where + 4) & 0xFFF00000L;
                    long high = c.read32(where + 8) & 0xFFFFFFFFL;
                    out.append(String.format("\t\tMapping Address Base: %016x\n", high << 32 | low));
                }
            }
            case 0xB000 -> out.append("HyperTransport: DirectRoute\n");
            case 0xB800 -> out.append("HyperTransport: VCSet\n");
            case 0xC000 -> out.append("HyperTransport: Retry Mode\n");
            case 0xC800 -> out.append("HyperTransport: X86 (reserved)\n");
            default -> out.append(String.format("HyperTransport: #%02x\n", type >> 11));
        }
    }
}
