package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/**
 * The detail lines of Advanced Error Reporting as pciutils 3.9.0's {@code lspci -vv} prints them
 * (ls-ecaps.c {@code cap_aer}); register layout from PCIe §7.8.4 as lib/header.h names it. The root
 * registers only for a Root Port or Root Complex Event Collector (the type of the function's Express
 * capability); nothing where the registers are not all in the dump.
 */
final class AerLines {

    private AerLines() {
    }

    static void print(ConfigSpace c, int where, int expressType, StringBuilder out) {
        if (!present(c, where + 4, 40)) {
            return;
        }
        uncorrectable("UESta", c.read32(where + 0x04), out);
        uncorrectable("UEMsk", c.read32(where + 0x08), out);
        uncorrectable("UESvrt", c.read32(where + 0x0C), out);
        correctable("CESta", c.read32(where + 0x10), out);
        correctable("CEMsk", c.read32(where + 0x14), out);
        int l = c.read32(where + 0x18);
        out.append(String.format("\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c ECRCChkEn%c\n"
                + "\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c\n", l & 0x1F, flag(l, 0x20), flag(l, 0x40),
                flag(l, 0x80), flag(l, 0x100), flag(l, 0x200), flag(l, 0x400), flag(l, 0x800), flag(l, 0x1000)));
        out.append(String.format("\t\tHeaderLog: %08x %08x %08x %08x\n", c.read32(where + 0x1C), c.read32(where + 0x20),
                c.read32(where + 0x24), c.read32(where + 0x28)));
        if (expressType != ExpressLines.ROOT_PORT && expressType != ExpressLines.ROOT_EVENT_COLLECTOR
                || !present(c, where + 0x2C, 12)) {
            return;
        }
        l = c.read32(where + 0x2C);
        out.append(String.format("\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c\n", flag(l, 1), flag(l, 2), flag(l, 4)));
        l = c.read32(where + 0x30);
        out.append(String.format("\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c\n"
                + "\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %d\n", flag(l, 1), flag(l, 2), flag(l, 4), flag(l, 8),
                flag(l, 0x10), flag(l, 0x20), flag(l, 0x40), l >>> 27));
        out.append(String.format("\t\tErrorSrc: ERR_COR: %04x ERR_FATAL/NONFATAL: %04x\n", c.read16(where + 0x34),
                c.read16(where + 0x36)));
    }

    private static void uncorrectable(String name, int l, StringBuilder out) {
        out.append(String.format("\t\t%s:\tDLP%c SDES%c TLP%c FCP%c CmpltTO%c CmpltAbrt%c UnxCmplt%c RxOF%c MalfTLP%c ECRC%c"
                + " UnsupReq%c ACSViol%c\n", name, flag(l, 0x10), flag(l, 0x20), flag(l, 0x1000), flag(l, 0x2000),
                flag(l, 0x4000), flag(l, 0x8000), flag(l, 0x10000), flag(l, 0x20000), flag(l, 0x40000), flag(l, 0x80000),
                flag(l, 0x100000), flag(l, 0x200000)));
    }

    private static void correctable(String name, int l, StringBuilder out) {
        out.append(String.format("\t\t%s:\tRxErr%c BadTLP%c BadDLLP%c Rollover%c Timeout%c AdvNonFatalErr%c\n", name,
                flag(l, 1), flag(l, 0x40), flag(l, 0x80), flag(l, 0x100), flag(l, 0x1000), flag(l, 0x2000)));
    }
}
