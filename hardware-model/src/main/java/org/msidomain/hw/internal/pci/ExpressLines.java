package org.msidomain.hw.internal.pci;

import static org.msidomain.hw.internal.pci.Capabilities.present;
import static org.msidomain.hw.internal.pci.HeaderLines.flag;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import org.msidomain.hw.ConfigSpace;

/**
 * The detail lines of the PCI Express capability as pciutils 3.9.0's {@code lspci -vv} prints them
 * (ls-caps.c {@code cap_express}: {@code cap_express_dev}, {@code _link}, {@code _slot}, {@code _root},
 * and for version 2 {@code _dev2}, {@code _link2}); register layouts from the PCIe base specification
 * §7.5.3 as lib/header.h names them. Nothing is printed where the registers are not all in the dump
 * (pciutils' config_fetch).
 */
final class ExpressLines {

    static final int ENDPOINT = 0;
    static final int LEGACY_ENDPOINT = 1;
    static final int ROOT_PORT = 4;
    static final int UPSTREAM = 5;
    static final int DOWNSTREAM = 6;
    static final int PCI_BRIDGE = 7;
    static final int PCIE_BRIDGE = 8;
    static final int ROOT_INTEGRATED = 9;
    static final int ROOT_EVENT_COLLECTOR = 10;

    private ExpressLines() {
    }

    /** The lines after {@code Express (vN) <type>, MSI nn}; {@code slot} is the function's device and function. */
    static void print(ConfigSpace c, int where, int cap, int device, int function, StringBuilder out) {
        int type = (cap >> 4) & 0xF;
        boolean slot = (type == ROOT_PORT || type == DOWNSTREAM || type == PCIE_BRIDGE) && (cap & 0x100) != 0;
        boolean link = type != ROOT_INTEGRATED && type != ROOT_EVENT_COLLECTOR;
        int size = type == ROOT_PORT || type == ROOT_EVENT_COLLECTOR ? 32 : slot ? 24 : 16;
        if (!present(c, where + 4, size)) {
            return;
        }
        dev(c, where, type, out);
        if (link) {
            link(c, where, type, out);
        }
        if (slot) {
            slot(c, where, out);
        }
        if (type == ROOT_PORT || type == ROOT_EVENT_COLLECTOR) {
            root(c, where, out);
        }
        if ((cap & 0xF) < 2 || !present(c, where + 0x24, slot ? 24 : 16)) {
            return;
        }
        dev2(c, where, type, out);
        if (link) {
            link2(c, where, type, device, function, out);
        }
    }

    private static boolean endpoint(int type) {
        return type == ENDPOINT || type == LEGACY_ENDPOINT;
    }

    private static void dev(ConfigSpace c, int where, int type, StringBuilder out) {
        int t = c.read32(where + 0x04);
        out.append(String.format("\t\tDevCap:\tMaxPayload %d bytes, PhantFunc %d", 128 << (t & 7), (1 << ((t & 0x18) >> 3)) - 1));
        if (endpoint(type)) {
            out.append(", Latency L0s ").append(L0S[(t & 0x1C0) >> 6]).append(", L1 ").append(L1[(t & 0xE00) >> 9]);
        }
        out.append("\n\t\t\tExtTag").append(flag(t, 0x20));
        if (endpoint(type) || type == UPSTREAM || type == PCI_BRIDGE) {
            out.append(" AttnBtn").append(flag(t, 0x1000)).append(" AttnInd").append(flag(t, 0x2000))
                    .append(" PwrInd").append(flag(t, 0x4000));
        }
        out.append(" RBE").append(flag(t, 0x8000));
        if (endpoint(type) || type == ROOT_INTEGRATED) {
            out.append(" FLReset").append(flag(t, 0x1000_0000));
        }
        if (type == ENDPOINT || type == UPSTREAM || type == PCI_BRIDGE) {
            out.append(" SlotPowerLimit ").append(powerLimit((t & 0x3FC_0000) >> 18, (t & 0xC00_0000) >>> 26));
        }
        out.append('\n');
        int w = c.read16(where + 0x08);
        out.append(String.format("\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c\n", flag(w, 1), flag(w, 2),
                flag(w, 4), flag(w, 8)));
        out.append(String.format("\t\t\tRlxdOrd%c ExtTag%c PhantFunc%c AuxPwr%c NoSnoop%c", flag(w, 0x10), flag(w, 0x100),
                flag(w, 0x200), flag(w, 0x400), flag(w, 0x800)));
        if (type == PCI_BRIDGE) {
            out.append(" BrConfRtry").append(flag(w, 0x8000));
        }
        if ((endpoint(type) || type == ROOT_INTEGRATED) && (t & 0x1000_0000) != 0) {
            out.append(" FLReset").append(flag(w, 0x8000));
        }
        out.append(String.format("\n\t\t\tMaxPayload %d bytes, MaxReadReq %d bytes\n", 128 << ((w & 0xE0) >> 5),
                128 << ((w & 0x7000) >> 12)));
        w = c.read16(where + 0x0A);
        out.append(String.format("\t\tDevSta:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c AuxPwr%c TransPend%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20)));
    }

    private static final String[] L0S = { "<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited" };
    private static final String[] L1 = { "<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited" };
    private static final float[] SCALES = { 1.0f, 0.1f, 0.01f, 0.001f };

    /** show_power_limit: {@code printf("%gW", value * scale)} with the scale a C float. */
    static String powerLimit(int value, int scale) {
        if (scale == 0 && value == 0xFF) {
            return ">600W";
        }
        if (scale == 0 && value >= 0xF0 && value <= 0xFE) {
            value = 250 + 25 * (value - 0xF0);
        }
        return cFormatG((double) ((float) value * SCALES[scale])) + "W";
    }

    /** C's {@code %g} for the values a power limit can take (0 to 600, in steps of at least 0.001): 6 digits, no trailing zeros. */
    private static String cFormatG(double x) {
        if (x == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(x).round(new MathContext(6, RoundingMode.HALF_EVEN));
        return d.stripTrailingZeros().toPlainString();
    }

    private static String speed(int speed) {
        return switch (speed) {
            case 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "unknown";
        };
    }

    private static String compare(int type, int sta, int cap) {
        if (sta > cap) {
            return " (overdriven)";
        }
        if (sta == cap || type == ROOT_PORT || type == DOWNSTREAM || type == PCIE_BRIDGE) {
            return "";
        }
        return " (downgraded)";
    }

    private static final String[] ASPM_SUPPORT = { "not supported", "L0s", "L1", "L0s L1" };
    private static final String[] ASPM_ENABLED = { "Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled" };

    private static void link(ConfigSpace c, int where, int type, StringBuilder out) {
        int t = c.read32(where + 0x0C);
        int aspm = (t & 0xC00) >> 10;
        int capSpeed = t & 0xF;
        int capWidth = (t & 0x3F0) >> 4;
        out.append(String.format("\t\tLnkCap:\tPort #%d, Speed %s, Width x%d, ASPM %s", t >>> 24, speed(capSpeed), capWidth,
                ASPM_SUPPORT[aspm]));
        if (aspm != 0) {
            out.append(", Exit Latency ");
            if ((aspm & 1) != 0) {
                out.append("L0s ").append(L0S[(t & 0x7000) >> 12]);
            }
            if ((aspm & 2) != 0) {
                out.append((aspm & 1) != 0 ? ", " : "").append("L1 ").append(L1[(t & 0x38000) >> 15]);
            }
        }
        out.append('\n');
        out.append(String.format("\t\t\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c\n", flag(t, 0x40000),
                flag(t, 0x80000), flag(t, 0x100000), flag(t, 0x200000), flag(t, 0x400000)));
        int w = c.read16(where + 0x10);
        out.append("\t\tLnkCtl:\tASPM ").append(ASPM_ENABLED[w & 3]).append(';');
        if (type == ROOT_PORT || endpoint(type) || type == PCI_BRIDGE) {
            out.append(" RCB ").append((w & 8) != 0 ? 128 : 64).append(" bytes,");
        }
        out.append(String.format(" Disabled%c CommClk%c\n\t\t\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c\n",
                flag(w, 0x10), flag(w, 0x40), flag(w, 0x80), flag(w, 0x100), flag(w, 0x200), flag(w, 0x400), flag(w, 0x800)));
        w = c.read16(where + 0x12);
        int staSpeed = w & 0xF;
        int staWidth = (w & 0x3F0) >> 4;
        out.append(String.format("\t\tLnkSta:\tSpeed %s%s, Width x%d%s\n", speed(staSpeed), compare(type, staSpeed, capSpeed),
                staWidth, compare(type, staWidth, capWidth)));
        out.append(String.format("\t\t\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c\n", flag(w, 0x400),
                flag(w, 0x800), flag(w, 0x1000), flag(w, 0x2000), flag(w, 0x4000), flag(w, 0x8000)));
    }

    private static final String[] INDICATOR = { "Unknown", "On", "Blink", "Off" };

    private static void slot(ConfigSpace c, int where, StringBuilder out) {
        int t = c.read32(where + 0x14);
        out.append(String.format("\t\tSltCap:\tAttnBtn%c PwrCtrl%c MRL%c AttnInd%c PwrInd%c HotPlug%c Surprise%c\n",
                flag(t, 1), flag(t, 2), flag(t, 4), flag(t, 8), flag(t, 0x10), flag(t, 0x40), flag(t, 0x20)));
        out.append("\t\t\tSlot #").append(t >>> 19).append(", PowerLimit ")
                .append(powerLimit((t & 0x7F80) >> 7, (t & 0x18000) >> 15));
        out.append(String.format("; Interlock%c NoCompl%c\n", flag(t, 0x20000), flag(t, 0x40000)));
        int w = c.read16(where + 0x18);
        out.append(String.format("\t\tSltCtl:\tEnable: AttnBtn%c PwrFlt%c MRL%c PresDet%c CmdCplt%c HPIrq%c LinkChg%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20), flag(w, 0x1000)));
        out.append(String.format("\t\t\tControl: AttnInd %s, PwrInd %s, Power%c Interlock%c\n", INDICATOR[(w & 0xC0) >> 6],
                INDICATOR[(w & 0x300) >> 8], flag(w, 0x400), flag(w, 0x800)));
        w = c.read16(where + 0x1A);
        out.append(String.format("\t\tSltSta:\tStatus: AttnBtn%c PowerFlt%c MRL%c CmdCplt%c PresDet%c Interlock%c\n",
                flag(w, 1), flag(w, 2), flag(w, 0x20), flag(w, 0x10), flag(w, 0x40), flag(w, 0x80)));
        out.append(String.format("\t\t\tChanged: MRL%c PresDet%c LinkState%c\n", flag(w, 4), flag(w, 8), flag(w, 0x100)));
    }

    private static void root(ConfigSpace c, int where, StringBuilder out) {
        int w = c.read16(where + 0x1E);
        out.append(String.format("\t\tRootCap: CRSVisible%c\n", flag(w, 1)));
        w = c.read16(where + 0x1C);
        out.append(String.format("\t\tRootCtl: ErrCorrectable%c ErrNon-Fatal%c ErrFatal%c PMEIntEna%c CRSVisible%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10)));
        w = c.read32(where + 0x20);
        out.append(String.format("\t\tRootSta: PME ReqID %04x, PMEStatus%c PMEPending%c\n", w & 0xFFFF, flag(w, 0x10000),
                flag(w, 0x20000)));
    }

    private static String timeoutRange(int x) {
        return switch (x) {
            case 0 -> "Not Supported";
            case 1 -> "Range A";
            case 2 -> "Range B";
            case 3 -> "Range AB";
            case 6 -> "Range BC";
            case 7 -> "Range ABC";
            case 14 -> "Range BCD";
            case 15 -> "Range ABCD";
            default -> "Unknown";
        };
    }

    private static String timeoutValue(int x) {
        return switch (x) {
            case 0 -> "50us to 50ms";
            case 1 -> "50us to 100us";
            case 2 -> "1ms to 10ms";
            case 5 -> "16ms to 55ms";
            case 6 -> "65ms to 210ms";
            case 9 -> "260ms to 900ms";
            case 10 -> "1s to 3.5s";
            case 13 -> "4s to 13s";
            case 14 -> "17s to 64s";
            default -> "Unknown";
        };
    }

    private static final String[] OBFF_CAP = { "Not Supported", "Via message", "Via WAKE#", "Via message/WAKE#" };
    private static final String[] EPR = { "Not Supported", "Dev Specific", "Form Factor Dev Specific", "Reserved" };
    private static final String[] LN_CLS = { "Not Supported", "64byte cachelines", "128byte cachelines", "Reserved" };
    private static final String[] TPH = { "TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "", "TPHComp+ ExtTPHComp+" };
    private static final String[] OBFF_CTL = { "Disabled", "Via message A", "Via message B", "Via WAKE#" };

    private static void dev2(ConfigSpace c, int where, int type, StringBuilder out) {
        int l = c.read32(where + 0x24);
        boolean memBar = HeaderLines.hasMemoryBar(c);
        out.append(String.format("\t\tDevCap2: Completion Timeout: %s, TimeoutDis%c NROPrPrP%c LTR%c", timeoutRange(l & 0xF),
                flag(l, 0x10), flag(l, 0x400), flag(l, 0x800)));
        out.append(String.format("\n\t\t\t 10BitTagComp%c 10BitTagReq%c OBFF %s, ExtFmt%c EETLPPrefix%c", flag(l, 0x10000),
                flag(l, 0x20000), OBFF_CAP[(l >> 18) & 3], flag(l, 0x100000), flag(l, 0x200000)));
        if ((l & 0x200000) != 0) {
            int max = (l >> 22) & 3;
            out.append(", MaxEETLPPrefixes ").append(max != 0 ? max : 4);
        }
        out.append(String.format("\n\t\t\t EmergencyPowerReduction %s, EmergencyPowerReductionInit%c", EPR[(l >> 24) & 3],
                flag(l, 0x4000000)));
        out.append("\n\t\t\t FRS").append(flag(l, 0x8000_0000));
        if (type == ROOT_PORT) {
            out.append(" LN System CLS ").append(LN_CLS[(l >> 14) & 3]).append(',');
        }
        if (type == ROOT_PORT || type == ENDPOINT) {
            out.append(' ').append(TPH[(l >> 12) & 3]);
        }
        if (type == ROOT_PORT || type == DOWNSTREAM) {
            out.append(" ARIFwd").append(flag(l, 0x20));
        }
        out.append('\n');
        boolean switchOrRoot = type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM;
        if (switchOrRoot || memBar) {
            out.append("\t\t\t AtomicOpsCap:");
            if (switchOrRoot) {
                out.append(" Routing").append(flag(l, 0x40));
            }
            if (type == ROOT_PORT || memBar) {
                out.append(String.format(" 32bit%c 64bit%c 128bitCAS%c", flag(l, 0x80), flag(l, 0x100), flag(l, 0x200)));
            }
            out.append('\n');
        }
        int w = c.read16(where + 0x28);
        out.append(String.format("\t\tDevCtl2: Completion Timeout: %s, TimeoutDis%c LTR%c 10BitTagReq%c OBFF %s,",
                timeoutValue(w & 0xF), flag(w, 0x10), flag(w, 0x400), flag(w, 0x1000), OBFF_CTL[(w >> 13) & 3]));
        if (type == ROOT_PORT || type == DOWNSTREAM) {
            out.append(" ARIFwd").append(flag(w, 0x20));
        }
        out.append('\n');
        boolean requester = type == ROOT_PORT || type == ENDPOINT || type == ROOT_INTEGRATED || type == LEGACY_ENDPOINT;
        if (switchOrRoot || requester) {
            out.append("\t\t\t AtomicOpsCtl:");
            if (requester) {
                out.append(" ReqEn").append(flag(w, 0x40));
            }
            if (switchOrRoot) {
                out.append(" EgressBlck").append(flag(w, 0x80));
            }
            out.append('\n');
        }
    }

    private static String speedCap(int vector) {
        if ((vector & 0x60) != 0) {
            return "RsvdP";
        }
        if ((vector & 0x10) != 0) {
            return "2.5-32GT/s";
        }
        if ((vector & 0x08) != 0) {
            return "2.5-16GT/s";
        }
        if ((vector & 0x04) != 0) {
            return "2.5-8GT/s";
        }
        if ((vector & 0x02) != 0) {
            return "2.5-5GT/s";
        }
        return (vector & 0x01) != 0 ? "2.5GT/s" : "Unknown";
    }

    private static String targetSpeed(int x) {
        return x == 0 ? "2.5GT/s" : x <= 6 ? speed(x) : "Unknown";
    }

    private static String deemphasis(int x) {
        return x == 0 ? "-6dB" : "-3.5dB";
    }

    private static String preset(int x) {
        return switch (x) {
            case 0 -> "-6dB de-emphasis, 0dB preshoot";
            case 1 -> "-3.5dB de-emphasis, 0dB preshoot";
            case 2 -> "-4.4dB de-emphasis, 0dB preshoot";
            case 3 -> "-2.5dB de-emphasis, 0dB preshoot";
            case 4 -> "0dB de-emphasis, 0dB preshoot";
            case 5 -> "0dB de-emphasis, 1.9dB preshoot";
            case 6 -> "0dB de-emphasis, 2.5dB preshoot";
            case 7 -> "-6.0dB de-emphasis, 3.5dB preshoot";
            case 8 -> "-3.5dB de-emphasis, 3.5dB preshoot";
            case 9 -> "0dB de-emphasis, 3.5dB preshoot";
            default -> "Unknown";
        };
    }

    private static String margin(int x) {
        return switch (x) {
            case 0 -> "Normal Operating Range";
            case 1 -> "800-1200mV(full-swing)/400-700mV(half-swing)";
            case 2, 3, 4, 5 -> "200-400mV(full-swing)/100-200mV(half-swing)";
            default -> "Unknown";
        };
    }

    private static final String[] CROSSLINK = { "unsupported", "Upstream Port", "Downstream Port", "incomplete" };

    private static String component(int x) {
        return switch (x) {
            case 0 -> "Link Down - Not Determined";
            case 1 -> "Link Down - Not Present";
            case 2 -> "Link Down - Present";
            case 4 -> "Link Up - Present";
            case 5 -> "Link Up - Present and DRS Received";
            default -> "Reserved";
        };
    }

    private static void link2(ConfigSpace c, int where, int type, int device, int function, StringBuilder out) {
        int l = 0;
        // Link Capabilities 2 was reserved before PCIe r3.0: pciutils skips it (and LnkCtl2) on endpoints but function 0
        if (!(endpoint(type) && (device != 0 || function != 0))) {
            l = c.read32(where + 0x2C);
            if (l != 0) {
                out.append(String.format("\t\tLnkCap2: Supported Link Speeds: %s, Crosslink%c Retimer%c 2Retimers%c DRS%c\n",
                        speedCap((l >> 1) & 0x7F), flag(l, 0x100), flag(l, 0x800000), flag(l, 0x1000000), flag(l, 0x8000_0000)));
            }
            int w = c.read16(where + 0x30);
            out.append(String.format("\t\tLnkCtl2: Target Link Speed: %s, EnterCompliance%c SpeedDis%c", targetSpeed(w & 0xF),
                    flag(w, 0x10), flag(w, 0x20)));
            if (type == DOWNSTREAM) {
                out.append(", Selectable De-emphasis: ").append(deemphasis((w >> 6) & 1));
            }
            out.append(String.format("\n\t\t\t Transmit Margin: %s, EnterModifiedCompliance%c ComplianceSOS%c\n"
                    + "\t\t\t Compliance Preset/De-emphasis: %s\n", margin((w >> 7) & 7), flag(w, 0x400), flag(w, 0x800),
                    preset((w >> 12) & 0xF)));
        }
        int w = c.read16(where + 0x32);
        out.append(String.format("\t\tLnkSta2: Current De-emphasis Level: %s, EqualizationComplete%c EqualizationPhase1%c\n"
                + "\t\t\t EqualizationPhase2%c EqualizationPhase3%c LinkEqualizationRequest%c\n"
                + "\t\t\t Retimer%c 2Retimers%c CrosslinkRes: %s", deemphasis(w & 1), flag(w, 2), flag(w, 4), flag(w, 8),
                flag(w, 0x10), flag(w, 0x20), flag(w, 0x40), flag(w, 0x80), CROSSLINK[(w >> 8) & 3]));
        boolean downstreamPort = type == ROOT_PORT || type == DOWNSTREAM || type == PCIE_BRIDGE;
        if (downstreamPort && (l & 0x8000_0000) != 0) {
            out.append(String.format(", DRS%c\n\t\t\t DownstreamComp: %s\n", flag(w, 0x8000), component((w >> 12) & 7)));
        } else {
            out.append('\n');
        }
    }
}
