package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/**
 * The detail lines of the Virtual Channel capability (ids 0x02 and 0x09) as pciutils 3.9.0's {@code lspci -vv}
 * prints them (ls-ecaps.c {@code cap_vc}): the port's capability, control and status registers, then each VC
 * resource; an arbitration table is only mentioned ({@code <?>}), as pciutils does.
 */
final class VirtualChannelLines {

    private static final String[] ARB = { "Fixed", "WRR32", "WRR64", "WRR128", "??4", "??5", "??6", "??7" };
    private static final String[] VC_ARB = { "Fixed", "WRR32", "WRR64", "WRR128", "TWRR128", "WRR256", "??6", "??7" };

    private VirtualChannelLines() {
    }

    static void print(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 0x18)) {
            return;
        }
        int cr1 = c.read32(where + 4);
        int cr2 = c.read32(where + 8);
        int ctrl = c.read16(where + 0x0C);
        int status = c.read16(where + 0x0E);
        int extended = cr1 & 7;
        int refClock = (cr1 >> 8) & 3;
        out.append(String.format("\t\tCaps:\tLPEVC=%d RefClk=%s PATEntryBits=%d\n", (cr1 >> 4) & 7,
                refClock == 0 ? "100ns" : "??" + refClock, 1 << ((cr1 >> 10) & 3)));
        out.append("\t\tArb:");
        arbitration(ARB, cr2, out);
        out.append("\n\t\tCtrl:\tArbSelect=").append(ARB[(ctrl >> 1) & 7]).append('\n');
        out.append("\t\tStatus:\tInProgress").append(flag(status, 1)).append('\n');
        int table = (cr2 >>> 24) & 0xFF;
        if (table != 0) {
            out.append(String.format("\t\tPort Arbitration Table [%x] <?>\n", where + 16 * table));
        }
        for (int i = 0; i <= extended; i++) {
            int pos = where + 0x10 + 12 * i;
            out.append("\t\tVC").append(i).append(":\t");
            if (!present(c, pos, 12)) {
                out.append("<unreadable>\n");
                continue;
            }
            int rcap = c.read32(pos);
            int rctrl = c.read32(pos + 4);
            int rstatus = c.read16(pos + 10);
            int patOffset = (rcap >>> 24) & 0xFF;
            out.append(String.format("Caps:\tPATOffset=%02x MaxTimeSlots=%d RejSnoopTrans%c\n", patOffset,
                    ((rcap >> 16) & 0x7F) + 1, flag(rcap, 1 << 15)));
            out.append("\t\t\tArb:");
            arbitration(VC_ARB, rcap, out);
            out.append(String.format("\n\t\t\tCtrl:\tEnable%c ID=%d ArbSelect=%s TC/VC=%02x\n", flag(rctrl, 1 << 31),
                    (rctrl >> 24) & 7, VC_ARB[(rctrl >> 17) & 7], rctrl & 0xFF));
            out.append(String.format("\t\t\tStatus:\tNegoPending%c InProgress%c\n", flag(rstatus, 2), flag(rstatus, 1)));
            if (patOffset != 0) {
                out.append("\t\t\tPort Arbitration Table <?>\n");
            }
        }
    }

    /** The arbitration schemes: the defined ones always, a reserved one only where its bit is set. */
    private static void arbitration(String[] names, int bits, StringBuilder out) {
        for (int i = 0; i < 8; i++) {
            if (names[i].charAt(0) != '?' || (bits & (1 << i)) != 0) {
                out.append(i == 0 ? '\t' : ' ').append(names[i]).append(flag(bits, 1 << i));
            }
        }
    }
}
