package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import org.msidomain.hw.ConfigSpace;

/**
 * The detail lines of the smaller extended capabilities as pciutils 3.9.0's {@code lspci -vv} prints them
 * (ls-ecaps.c {@code cap_acs}, {@code cap_ari}, {@code cap_ats}, {@code cap_pri}, {@code cap_pasid},
 * {@code cap_ltr}, {@code cap_sec}, {@code cap_sriov}, {@code cap_dpc}, {@code cap_rebar}, {@code cap_tph},
 * {@code cap_l1pm}, {@code cap_ptm}, {@code cap_rclink}, {@code cap_rcec}; Virtual Channel in {@link VirtualChannelLines}); register layouts from the PCIe base
 * specification as lib/header.h names them. Nothing where the registers are not all in the dump.
 */
final class ExtendedLines {

    private ExtendedLines() {
    }

    /** The detail lines of extended capability {@code id} at {@code where}, if the model decodes it. */
    static void print(ConfigSpace c, int where, int id, StringBuilder out) {
        switch (id) {
            case 0x0D -> acs(c, where, out);
            case 0x0E -> ari(c, where, out);
            case 0x0F -> ats(c, where, out);
            case 0x10 -> sriov(c, where, out);
            case 0x13 -> pri(c, where, out);
            case 0x18 -> ltr(c, where, out);
            case 0x19 -> secondary(c, where, out);
            case 0x1B -> pasid(c, where, out);
            case 0x1D -> dpc(c, where, out);
            case 0x02, 0x09 -> VirtualChannelLines.print(c, where, out);
            case 0x15 -> resizableBar(c, where, out);
            case 0x24 -> resizableBar(c, where, out);
            case 0x17 -> tph(c, where, out);
            case 0x1E -> l1pm(c, where, out);
            case 0x1F -> ptm(c, where, out);
            case 0x05 -> rootComplexLink(c, where, out);
            case 0x07 -> eventCollectorAssociation(c, where, out);
            default -> {
            }
        }
    }

    private static void acs(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        acsWord("ACSCap", c.read16(where + 4), out);
        acsWord("ACSCtl", c.read16(where + 6), out);
    }

    private static void acsWord(String name, int w, StringBuilder out) {
        out.append(String.format("\t\t%s:\tSrcValid%c TransBlk%c ReqRedir%c CmpltRedir%c UpstreamFwd%c EgressCtrl%c"
                + " DirectTrans%c\n", name, flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20),
                flag(w, 0x40)));
    }

    private static void ari(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        int w = c.read16(where + 4);
        out.append(String.format("\t\tARICap:\tMFVC%c ACS%c, Next Function: %d\n", flag(w, 1), flag(w, 2), (w >> 8) & 0xFF));
        w = c.read16(where + 6);
        out.append(String.format("\t\tARICtl:\tMFVC%c ACS%c, Function Group: %d\n", flag(w, 1), flag(w, 2), (w >> 4) & 7));
    }

    private static void ats(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        out.append(String.format("\t\tATSCap:\tInvalidate Queue Depth: %02x\n", c.read16(where + 4) & 0x1F));
        int w = c.read16(where + 6);
        out.append(String.format("\t\tATSCtl:\tEnable%c, Smallest Translation Unit: %02x\n", flag(w, 0x8000), w & 0x1F));
    }

    private static void pri(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 0x0C)) {
            return;
        }
        int w = c.read16(where + 4);
        out.append(String.format("\t\tPRICtl: Enable%c Reset%c\n", flag(w, 1), flag(w, 2)));
        w = c.read16(where + 6);
        out.append(String.format("\t\tPRISta: RF%c UPRGI%c Stopped%c\n", flag(w, 1), flag(w, 2), flag(w, 0x100)));
        out.append(String.format("\t\tPage Request Capacity: %08x, Page Request Allocation: %08x\n", c.read32(where + 8),
                c.read32(where + 0x0C)));
    }

    private static void pasid(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        int w = c.read16(where + 4);
        out.append(String.format("\t\tPASIDCap: Exec%c Priv%c, Max PASID Width: %02x\n", flag(w, 2), flag(w, 4),
                (w >> 8) & 0x1F));
        w = c.read16(where + 6);
        out.append(String.format("\t\tPASIDCtl: Enable%c Exec%c Priv%c\n", flag(w, 1), flag(w, 2), flag(w, 4)));
    }

    private static void ltr(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        out.append("\t\tMax snoop latency: ").append(latency(c.read16(where + 4))).append("ns\n");
        out.append("\t\tMax no snoop latency: ").append(latency(c.read16(where + 6))).append("ns\n");
    }

    /**
     * cap_ltr_scale is {@code 1 << (scale * 5)} on a C int: scale 7 shifts by 35, which x86 masks to 3 (8), as
     * Java's int shift does; the value times that, unsigned 64-bit.
     */
    private static long latency(int w) {
        int scale = 1 << (((w >> 10) & 7) * 5);
        return (w & 0x3FF) * Integer.toUnsignedLong(scale);
    }

    private static void secondary(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 12)) {
            return;
        }
        int ctrl3 = c.read16(where + 4);
        out.append(String.format("\t\tLnkCtl3: LnkEquIntrruptEn%c PerformEqu%c\n", flag(ctrl3, 2), flag(ctrl3, 1)));
        int errors = c.read16(where + 8);
        out.append("\t\tLaneErrStat: ");
        if (errors != 0) {
            out.append("LaneErr at lane:");
            for (int lane = 0; errors != 0; errors >>>= 1, lane++) {
                if ((errors & 1) != 0) {
                    out.append(' ').append(lane);
                }
            }
        } else {
            out.append('0');
        }
        out.append('\n');
    }

    private static void sriov(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 0x3C)) {
            return;
        }
        int l = c.read32(where + 4);
        out.append(String.format("\t\tIOVCap:\tMigration%c 10BitTagReq%c Interrupt Message Number: %03x\n", flag(l, 1),
                flag(l, 4), l >>> 21));
        int w = c.read16(where + 8);
        out.append(String.format("\t\tIOVCtl:\tEnable%c Migration%c Interrupt%c MSE%c ARIHierarchy%c 10BitTagReq%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20)));
        out.append(String.format("\t\tIOVSta:\tMigration%c\n", flag(c.read16(where + 0x0A), 1)));
        out.append(String.format("\t\tInitial VFs: %d, Total VFs: %d, Number of VFs: %d, Function Dependency Link: %02x\n",
                c.read16(where + 0x0C), c.read16(where + 0x0E), c.read16(where + 0x10), c.read8(where + 0x12)));
        out.append(String.format("\t\tVF offset: %d, stride: %d, Device ID: %04x\n", c.read16(where + 0x14),
                c.read16(where + 0x16), c.read16(where + 0x1A)));
        out.append(String.format("\t\tSupported Page Size: %08x, System Page Size: %08x\n", c.read32(where + 0x1C),
                c.read32(where + 0x20)));
        for (int i = 0; i < 6; i++) {
            l = c.read32(where + 0x24 + 4 * i);
            if (l == -1 || l == 0) {
                continue;
            }
            out.append("\t\tRegion ").append(i).append(": Memory at ");
            int type = l & 6;
            if (type == 4) {
                i++;
                out.append(String.format("%08x", c.read32(where + 0x24 + 4 * i)));
            }
            out.append(String.format("%08x (%s-bit, %sprefetchable)\n", l & ~0xF, type == 0 ? "32" : "64",
                    (l & 8) != 0 ? "" : "non-"));
        }
        l = c.read32(where + 0x3C);
        out.append(String.format("\t\tVF Migration: offset: %08x, BIR: %x\n", l & ~7, l & 7));
    }

    private static void dpc(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 8)) {
            return;
        }
        int l = c.read16(where + 4);
        out.append(String.format("\t\tDpcCap:\tINT Msg #%d, RPExt%c PoisonedTLP%c SwTrigger%c RP PIO Log %d, DL_ActiveErr%c\n",
                l & 0x1F, flag(l, 0x20), flag(l, 0x40), flag(l, 0x80), (l >> 8) & 0xF, flag(l, 0x1000)));
        l = c.read16(where + 6);
        out.append(String.format("\t\tDpcCtl:\tTrigger:%x Cmpl%c INT%c ErrCor%c PoisonedTLP%c SwTrigger%c DL_ActiveErr%c\n",
                l & 3, flag(l, 4), flag(l, 8), flag(l, 0x10), flag(l, 0x20), flag(l, 0x40), flag(l, 0x80)));
        l = c.read16(where + 8);
        out.append(String.format("\t\tDpcSta:\tTrigger%c Reason:%02x INT%c RPBusy%c TriggerExt:%02x RP PIO ErrPtr:%02x\n",
                flag(l, 1), (l >> 1) & 3, flag(l, 8), flag(l, 0x10), (l >> 5) & 3, (l >> 8) & 0x1F));
        out.append(String.format("\t\tSource:\t%04x\n", c.read16(where + 0x0A)));
    }

    private static void tph(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 4)) {
            return;
        }
        int cap = c.read32(where + 4);
        if ((cap & 0x2) != 0) {
            out.append("\t\tInterrupt vector mode supported\n");
        }
        if ((cap & 0x4) != 0) {
            out.append("\t\tDevice specific mode supported\n");
        }
        if ((cap & 0x100) != 0) {
            out.append("\t\tExtended requester support\n");
        }
        out.append(switch ((cap >> 9) & 3) {
            case 0 -> "\t\tNo steering table available\n";
            case 1 -> "\t\tSteering table in TPH capability structure\n";
            case 2 -> "\t\tSteering table in MSI-X table\n";
            default -> "\t\tReserved steering table location\n";
        });
    }

    /** l1pm_calc_pwron: the T_PowerOn scale 2, 10 or 100 us; -1 for the reserved scale. */
    private static int powerOn(int scale, int value) {
        return switch (scale) {
            case 0 -> 2 * value;
            case 1 -> 10 * value;
            case 2 -> 100 * value;
            default -> -1;
        };
    }

    private static void l1pm(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 12)) {
            out.append("\t\t<unreadable>\n");
            return;
        }
        int cap = c.read32(where + 4);
        boolean l12 = (cap & 0x1) != 0 || (cap & 0x4) != 0;
        out.append(String.format("\t\tL1SubCap: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c L1_PM_Substates%c\n",
                flag(cap, 1), flag(cap, 2), flag(cap, 4), flag(cap, 8), flag(cap, 0x10)));
        if (l12) {
            int time = powerOn((cap >> 16) & 3, (cap >> 19) & 0x1F);
            out.append("\t\t\t  PortCommonModeRestoreTime=").append((cap >> 8) & 0xFF).append("us ")
                    .append(time != -1 ? "PortTPowerOnTime=" + time + "us\n" : "PortTPowerOnTime=<error>\n");
        }
        int val = c.read32(where + 8);
        out.append(String.format("\t\tL1SubCtl1: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c\n", flag(val, 1),
                flag(val, 2), flag(val, 4), flag(val, 8)));
        if (l12) {
            out.append("\t\t\t   T_CommonMode=").append((val >> 8) & 0xFF).append("us");
            if ((cap & 0x4) != 0) {
                int scale = (val >>> 29) & 7;
                out.append(scale > 5 ? " LTR1.2_Threshold=<error>"
                        : " LTR1.2_Threshold=" + ((val >> 16) & 0x3FF) * (1L << (scale * 5)) + "ns");
            }
            out.append('\n');
        }
        val = c.read32(where + 0x0C);
        out.append("\t\tL1SubCtl2:");
        if (l12) {
            int time = powerOn(val & 3, (val >> 3) & 0x1F);
            out.append(time != -1 ? " T_PwrOn=" + time + "us" : " T_PwrOn=<error>");
        }
        out.append('\n');
    }

    private static void ptm(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 8)) {
            out.append("\t\t<unreadable>\n");
            return;
        }
        int cap = c.read32(where + 4);
        out.append(String.format("\t\tPTMCap: Requester:%c Responder:%c Root:%c\n", flag(cap, 1), flag(cap, 2), flag(cap, 4)));
        out.append("\t\tPTMClockGranularity: ").append(granularity((cap >> 8) & 0xFF, "Unimplemented"));
        int ctl = c.read32(where + 8);
        out.append(String.format("\t\tPTMControl: Enabled:%c RootSelected:%c\n", flag(ctl, 1), flag(ctl, 2)));
        out.append("\t\tPTMEffectiveGranularity: ").append(granularity((ctl >> 8) & 0xFF, "Unknown"));
    }

    private static String granularity(int clock, String zero) {
        return clock == 0 ? zero + "\n" : clock == 0xFF ? "Greater than 254ns\n" : clock + "ns\n";
    }

    /** cap_rebar: one entry per resizable BAR (the first control register says how many, 1 to 6). */
    private static void resizableBar(ConfigSpace c, int where, StringBuilder out) {
        int bars = 1;
        for (int n = 0; n < bars; n++) {
            where += 4;
            if (!present(c, where, 8)) {
                out.append("\t\t<unreadable>\n");
                return;
            }
            int sizes = c.read32(where) >>> 4;
            where += 4;
            int control = c.read32(where);
            if (n == 0) {
                bars = (control >> 5) & 7;
                if (bars < 1 || bars > 6) {
                    out.append("\t\t<error in resizable BAR: num_bars=").append(bars).append(" is out of specification>\n");
                    break;
                }
            }
            out.append("\t\tBAR ").append(control & 7).append(": current size:").append(barSize((control >> 8) & 0x3F));
            int extSizes = (control >>> 16) & 0xFFFF;
            if (sizes != 0 || extSizes != 0) {
                out.append(", supported:");
                for (int i = 0; i < 28; i++) {
                    if ((sizes & (1 << i)) != 0) {
                        out.append(barSize(i));
                    }
                }
                for (int i = 0; i < 16; i++) {
                    if ((extSizes & (1 << i)) != 0) {
                        out.append(barSize(i + 28));
                    }
                }
            }
            out.append('\n');
        }
    }

    /** print_rebar_range_size: log2 of the size in MB. */
    private static String barSize(int ld2) {
        String[] units = { "MB", "GB", "TB", "PB", "EB" };
        return ld2 >= 0 && ld2 < 44 ? " " + (1 << (ld2 % 10)) + units[ld2 / 10] : " <unknown>";
    }

    private static final String[] ELEMENT_TYPES = { "Config", "Egress", "Internal" };

    private static void rootComplexLink(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where + 4, 0x0C)) {
            return;
        }
        int esd = c.read32(where + 4);
        int type = esd & 0xFF;
        out.append(String.format("\t\tDesc:\tPortNumber=%02x ComponentID=%02x EltType=%s\n", esd >>> 24, (esd >> 16) & 0xFF,
                type < ELEMENT_TYPES.length ? ELEMENT_TYPES[type] : "??" + type));
        int links = (esd >> 8) & 0xFF;
        for (int i = 0; i < links; i++) {
            int pos = where + 0x10 + 16 * i;
            out.append("\t\tLink").append(i).append(":\t");
            if (!present(c, pos, 16)) {
                out.append("<unreadable>\n");
                return;
            }
            int desc = c.read32(pos);
            int lo = c.read32(pos + 8);
            int hi = c.read32(pos + 12);
            out.append(String.format("Desc:\tTargetPort=%02x TargetComponent=%02x AssocRCRB%c LinkType=%s LinkValid%c\n",
                    desc >>> 24, (desc >> 16) & 0xFF, flag(desc, 4), (desc & 2) != 0 ? "Config" : "MemMapped", flag(desc, 1)));
            if ((desc & 2) != 0) {
                int n = (lo & 7) == 0 ? 8 : lo & 7;
                out.append(String.format("\t\t\tAddr:\t%02x:%02x.%d  CfgSpace=%08x%08x\n", (lo >>> 20) & ((1 << n) - 1),
                        (lo >> 15) & 0x1F, (lo >> 12) & 7, hi, lo));
            } else {
                out.append(String.format("\t\t\tAddr:\t%08x%08x\n", hi, lo));
            }
        }
    }

    /** cap_rcec: the RCiEP bitmap as device ranges ("1, 3-5"), and from version 2 the associated bus numbers. */
    private static void eventCollectorAssociation(ConfigSpace c, int where, StringBuilder out) {
        if (!present(c, where, 12)) {
            return;
        }
        int version = (c.read32(where) >> 16) & 0xF;
        int bitmap = c.read32(where + 4);
        out.append("\t\tRCiEPBitmap: ");
        if (bitmap != 0) {
            out.append("RCiEP at Device(s):");
            boolean matched = false;
            int run = 0;
            int previous = 0;
            for (int dev = 0; dev < 32; dev++) {
                if ((bitmap & (1 << dev)) != 0) {
                    if (run == 0) {
                        out.append(matched ? "," : "").append(' ').append(dev);
                    }
                    run++;
                    previous = dev;
                    matched = true;
                } else {
                    if (run > 1) {
                        out.append('-').append(previous);
                    }
                    run = 0;
                }
            }
        } else {
            out.append("[none]");
        }
        out.append('\n');
        if (version < 2) {
            return;
        }
        int busn = c.read32(where + 8);
        int last = (busn >> 16) & 0xFF;
        int next = (busn >> 8) & 0xFF;
        out.append(last == 0 && next == 0xFF ? "\t\tAssociatedBusNumbers: [none]\n"
                : String.format("\t\tAssociatedBusNumbers: %02x-%02x\n", next, last));
    }
}
