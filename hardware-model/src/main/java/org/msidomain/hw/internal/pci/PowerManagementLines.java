package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/** The Power Management capability in full as pciutils 3.9.0 prints it (ls-caps.c {@code cap_pm}). */
final class PowerManagementLines {

    private static final int[] AUX_CURRENT_MA = { 0, 55, 100, 160, 220, 270, 320, 375 };

    private PowerManagementLines() {
    }

    static void print(ConfigSpace c, int where, int cap, int verbosity, StringBuilder out) {
        out.append("Power Management version ").append(cap & 7).append('\n');
        if (verbosity < 2) {
            return;
        }
        out.append(String.format("\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA PME(D0%c,D1%c,D2%c,D3hot%c,D3cold%c)\n",
                flag(cap, 0x8), flag(cap, 0x20), flag(cap, 0x200), flag(cap, 0x400), AUX_CURRENT_MA[(cap & 0x1C0) >> 6],
                flag(cap, 0x800), flag(cap, 0x1000), flag(cap, 0x2000), flag(cap, 0x4000), flag(cap, 0x8000)));
        if (!present(c, where + 4, 4)) {
            return;
        }
        int ctrl = c.read16(where + 4);
        out.append(String.format("\t\tStatus: D%d NoSoftRst%c PME-Enable%c DSel=%d DScale=%d PME%c\n", ctrl & 3,
                flag(ctrl, 0x8), flag(ctrl, 0x100), (ctrl & 0x1E00) >> 9, (ctrl & 0x6000) >> 13, flag(ctrl, 0x8000)));
        int bridge = c.read8(where + 6); // PCI-to-PCI bridge support extensions
        if (bridge != 0) {
            out.append(String.format("\t\tBridge: PM%c B3%c\n", flag(bridge, 0x80), flag(~bridge, 0x40)));
        }
    }
}
