package org.msidomain.hw.internal.pci;

import org.msidomain.hw.ConfigSpace;

/**
 * The lines pciutils 3.9.0's {@code lspci -v}/{@code -vv} prints from a function's standard header
 * (lspci.c {@code show_verbose}, {@code show_bases}, {@code show_rom}, {@code show_htype0/1/2}), as it
 * prints them for a dump ({@code -F}): the IRQ is the Interrupt Line register, BARs have no sizes, there is no
 * kernel driver and no physical slot.
 */
final class HeaderLines {

    private HeaderLines() {
    }

    /** Everything between the device line and the capability list; false when pciutils stops there. */
    static boolean print(ConfigSpace c, int verbosity, StringBuilder out) {
        int status = c.read16(0x06);
        int cmd = c.read16(0x04);
        int cls = c.read16(0x0A);
        int bist = c.read8(0x0F);
        int type = c.read8(0x0E) & 0x7F;
        int latency = c.read8(0x0D);
        int cacheLine = c.read8(0x0C);
        int pin = c.read8(0x3D);
        int irq = c.read8(0x3C);
        int maxLat = 0;
        int minGnt = 0;
        switch (type) {
            case 0 -> {
                if (cls == 0x0604) {
                    out.append(String.format("\t!!! Invalid class %04x for header type %02x\n", cls, type));
                }
                maxLat = c.read8(0x3F);
                minGnt = c.read8(0x3E);
            }
            case 1, 2 -> {
                if ((cls >> 8) != 0x06) {
                    out.append(String.format("\t!!! Invalid class %04x for header type %02x\n", cls, type));
                }
            }
            default -> {
                out.append(String.format("\t!!! Unknown header type %02x\n", type));
                if (verbosity > 1) {
                    interrupt(0, irq, out); // 3.9.0 prints the IRQ even then, but not the pin (seen on real lspci)
                }
                return false;
            }
        }
        if (verbosity > 1) {
            out.append(String.format("\tControl: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c VGASnoop%c ParErr%c"
                    + " Stepping%c SERR%c FastB2B%c DisINTx%c\n", flag(cmd, 0x1), flag(cmd, 0x2), flag(cmd, 0x4),
                    flag(cmd, 0x8), flag(cmd, 0x10), flag(cmd, 0x20), flag(cmd, 0x40), flag(cmd, 0x80), flag(cmd, 0x100),
                    flag(cmd, 0x200), flag(cmd, 0x400)));
            out.append(String.format("\tStatus: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c"
                    + " <MAbort%c >SERR%c <PERR%c INTx%c\n", flag(status, 0x10), flag(status, 0x20), flag(status, 0x40),
                    flag(status, 0x80), flag(status, 0x100), devsel(status), flag(status, 0x800), flag(status, 0x1000),
                    flag(status, 0x2000), flag(status, 0x4000), flag(status, 0x8000), flag(status, 0x8)));
            if ((cmd & 0x4) != 0) {
                out.append("\tLatency: ").append(latency);
                if (minGnt != 0 || maxLat != 0) {
                    out.append(" (");
                    if (minGnt != 0) {
                        out.append(minGnt * 250).append("ns min");
                    }
                    if (minGnt != 0 && maxLat != 0) {
                        out.append(", ");
                    }
                    if (maxLat != 0) {
                        out.append(maxLat * 250).append("ns max");
                    }
                    out.append(')');
                }
                if (cacheLine != 0) {
                    out.append(", Cache Line Size: ").append(cacheLine * 4).append(" bytes");
                }
                out.append('\n');
            }
            interrupt(pin, irq, out);
        } else {
            out.append("\tFlags: ");
            if ((cmd & 0x4) != 0) {
                out.append("bus master, ");
            }
            if ((cmd & 0x20) != 0) {
                out.append("VGA palette snoop, ");
            }
            if ((cmd & 0x80) != 0) {
                out.append("stepping, ");
            }
            if ((cmd & 0x200) != 0) {
                out.append("fast Back2Back, ");
            }
            if ((status & 0x20) != 0) {
                out.append("66MHz, ");
            }
            if ((status & 0x40) != 0) {
                out.append("user-definable features, ");
            }
            out.append(devsel(status)).append(" devsel");
            if ((cmd & 0x4) != 0) {
                out.append(", latency ").append(latency);
            }
            if (irq != 0) {
                out.append(", IRQ ").append(irq);
            }
            out.append('\n');
        }
        if ((bist & 0x80) != 0) {
            out.append((bist & 0x40) != 0 ? "\tBIST is running\n" : String.format("\tBIST result: %02x\n", bist & 0x0F));
        }
        switch (type) {
            case 0 -> {
                bases(c, 6, verbosity, out);
                rom(c, 0x30, out);
            }
            case 1 -> bridge(c, verbosity, out);
            default -> {
                return cardBus(c, verbosity, out);
            }
        }
        return true;
    }

    /** The pin letter is a C char: pin 0xff comes out as '?' ('A' + 254, truncated to a byte). */
    private static void interrupt(int pin, int irq, StringBuilder out) {
        if (pin != 0 || irq != 0) {
            out.append("\tInterrupt: pin ").append(pin != 0 ? (char) (('A' + pin - 1) & 0xFF) : '?')
                    .append(" routed to IRQ ").append(irq).append('\n');
        }
    }

    static char flag(int value, int bit) {
        return (value & bit) != 0 ? '+' : '-';
    }

    private static String devsel(int status) {
        return switch (status & 0x600) {
            case 0x000 -> "fast";
            case 0x200 -> "medium";
            case 0x400 -> "slow";
            default -> "??";
        };
    }

    /**
     * The addresses lib/generic.c's fill_info gives the BARs: a register that reads 0 or all ones has none,
     * a 64-bit memory BAR takes the next register as its upper half.
     */
    private static long[] baseAddresses(ConfigSpace c, int count) {
        long[] base = new long[count];
        for (int i = 0; i < count; i++) {
            int x = c.read32(0x10 + 4 * i);
            if (x == 0 || x == -1) {
                continue;
            }
            if ((x & 1) != 0 || (x & 6) != 4) {
                base[i] = x & 0xFFFFFFFFL;
            } else if (i < count - 1) {
                i++;
                base[i - 1] = (x & 0xFFFFFFFFL) | ((long) c.read32(0x10 + 4 * i)) << 32;
            }
        }
        return base;
    }

    /**
     * ls-caps.c device_has_memory_space_bar: a BAR fill_info gives an address (a dump has no sizes) that is
     * not an I/O BAR; six BARs for header type 0, two for a bridge, one for CardBus.
     */
    static boolean hasMemoryBar(ConfigSpace c) {
        int type = c.read8(0x0E) & 0x7F;
        int count = type == 0 ? 6 : type == 1 ? 2 : type == 2 ? 1 : 0;
        for (long base : baseAddresses(c, count)) {
            if (base != 0 && (base & 1) == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * 3.9.0's show_bases: one line per register that is not 0 or all ones, the upper half of a 64-bit BAR too
     * (as the register it is, with no address of its own: {@code <unassigned>}); the address is fill_info's.
     */
    private static void bases(ConfigSpace c, int count, int verbosity, StringBuilder out) {
        int cmd = c.read16(0x04);
        long[] base = baseAddresses(c, count);
        for (int i = 0; i < count; i++) {
            long pos = base[i];
            int flg = c.read32(0x10 + 4 * i);
            if (flg == -1) {
                flg = 0;
            }
            if (pos == 0 && flg == 0) {
                continue;
            }
            out.append(verbosity > 1 ? "\tRegion " + i + ": " : "\t");
            if ((flg & 1) != 0) {
                long a = pos & ~3L;
                out.append("I/O ports at ").append(a != 0 || (cmd & 1) != 0 ? String.format("%04x", a) : "<unassigned>");
                if ((cmd & 1) == 0) {
                    out.append(" [disabled]");
                }
            } else {
                int t = flg & 6;
                long a = pos & ~0xFL;
                out.append("Memory at ").append(a != 0 ? String.format("%08x", a) : "<unassigned>");
                out.append(String.format(" (%s, %sprefetchable)",
                        t == 0 ? "32-bit" : t == 4 ? "64-bit" : t == 2 ? "low-1M" : "type 3", (flg & 8) != 0 ? "" : "non-"));
                if ((cmd & 2) == 0) {
                    out.append(" [disabled]");
                }
            }
            out.append('\n');
        }
    }

    private static void rom(ConfigSpace c, int reg, StringBuilder out) {
        int flg = c.read32(reg);
        int cmd = c.read16(0x04);
        long rom = flg == -1 ? 0 : flg & 0xFFFFFFFFL; // fill_info: the register unless it reads all ones
        if (rom == 0 && flg == 0) {
            return;
        }
        out.append("\tExpansion ROM at ");
        if ((rom & ~0x7FFL) != 0) {
            out.append(String.format("%08x", rom & ~0x7FFL));
        } else if ((flg & ~0x7FF) != 0) {
            out.append("<ignored>");
        } else {
            out.append("<unassigned>");
        }
        if ((flg & 1) == 0) {
            out.append(" [disabled]");
        } else if ((cmd & 2) == 0) {
            out.append(" [disabled by cmd]");
        }
        out.append('\n');
    }

    private static void bridge(ConfigSpace c, int verbosity, StringBuilder out) {
        int ioBase = c.read8(0x1C);
        int ioLimit = c.read8(0x1D);
        int ioType = ioBase & 0x0F;
        int memBase = c.read16(0x20);
        int memLimit = c.read16(0x22);
        int memType = memBase & 0x0F;
        int prefBase = c.read16(0x24);
        int prefLimit = c.read16(0x26);
        int prefType = prefBase & 0x0F;
        int secStatus = c.read16(0x1E);
        int brc = c.read16(0x3E);
        bases(c, 2, verbosity, out);
        out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n", c.read8(0x18),
                c.read8(0x19), c.read8(0x1A), c.read8(0x1B)));
        if (ioType != (ioLimit & 0x0F) || (ioType != 0 && ioType != 1)) {
            out.append(String.format("\t!!! Unknown I/O range types %x/%x\n", ioBase, ioLimit));
        } else {
            long base = (ioBase & 0xF0L) << 8;
            long limit = (ioLimit & 0xF0L) << 8;
            if (ioType == 1) {
                base |= (long) c.read16(0x30) << 16;
                limit |= (long) c.read16(0x32) << 16;
            }
            range("\tI/O behind bridge", base, limit + 0xFFF, ioType == 1 ? 32 : 16, out);
        }
        if (memType != (memLimit & 0x0F) || memType != 0) {
            out.append(String.format("\t!!! Unknown memory range types %x/%x\n", memBase, memLimit));
        } else {
            range("\tMemory behind bridge", (memBase & 0xFFF0L) << 16, ((memLimit & 0xFFF0L) << 16) + 0xFFFFF, 32, out);
        }
        if (prefType != (prefLimit & 0x0F) || (prefType != 0 && prefType != 1)) {
            out.append(String.format("\t!!! Unknown prefetchable memory range types %x/%x\n", prefBase, prefLimit));
        } else {
            long base = (prefBase & 0xFFF0L) << 16;
            long limit = (prefLimit & 0xFFF0L) << 16;
            if (prefType == 1) {
                base |= (c.read32(0x28) & 0xFFFFFFFFL) << 32;
                limit |= (c.read32(0x2C) & 0xFFFFFFFFL) << 32;
            }
            range("\tPrefetchable memory behind bridge", base, limit + 0xFFFFF, prefType == 1 ? 64 : 32, out);
        }
        if (verbosity > 1) {
            out.append(String.format("\tSecondary status: 66MHz%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c"
                    + " <MAbort%c <SERR%c <PERR%c\n", flag(secStatus, 0x20), flag(secStatus, 0x80), flag(secStatus, 0x100),
                    devsel(secStatus), flag(secStatus, 0x800), flag(secStatus, 0x1000), flag(secStatus, 0x2000),
                    flag(secStatus, 0x4000), flag(secStatus, 0x8000)));
        }
        rom(c, 0x38, out);
        if (verbosity > 1) {
            out.append(String.format("\tBridgeCtl: Parity%c SERR%c NoISA%c VGA%c VGA16%c MAbort%c >Reset%c FastB2B%c\n",
                    flag(brc, 0x1), flag(brc, 0x2), flag(brc, 0x4), flag(brc, 0x8), flag(brc, 0x10), flag(brc, 0x20), flag(brc, 0x40),
                    flag(brc, 0x80)));
            out.append(String.format("\t\tPriDiscTmr%c SecDiscTmr%c DiscTmrStat%c DiscTmrSERREn%c\n", flag(brc, 0x100),
                    flag(brc, 0x200), flag(brc, 0x400), flag(brc, 0x800)));
        }
    }

    /** 3.9.0's show_range: a window as wide as its decoder, its size, or {@code [disabled]} when base > limit. */
    private static void range(String name, long base, long limit, int bits, StringBuilder out) {
        out.append(name).append(':');
        if (Long.compareUnsigned(base, limit) <= 0) {
            String digits = "%0" + (bits + 3) / 4 + "x";
            out.append(' ').append(String.format(digits, base)).append('-').append(String.format(digits, limit));
            out.append(size(limit - base + 1));
        } else {
            out.append(" [disabled]");
        }
        out.append(" [").append(bits).append("-bit]\n");
    }

    /** show_size: in the largest unit that divides it ({@code [size=4112M]}). */
    private static String size(long x) {
        if (x == 0) {
            return "";
        }
        String[] suffix = { "", "K", "M", "G", "T" };
        int i = 0;
        while (i < suffix.length - 1 && x % 1024 == 0) {
            x /= 1024;
            i++;
        }
        return " [size=" + Long.toUnsignedString(x & 0xFFFFFFFFL) + suffix[i] + "]";
    }

    /** show_htype2; false when the dump ends before the capability pointer (pciutils then prints nothing more). */
    private static boolean cardBus(ConfigSpace c, int verbosity, StringBuilder out) {
        int cmd = c.read16(0x04);
        bases(c, 1, verbosity, out);
        out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n", c.read8(0x18),
                c.read8(0x19), c.read8(0x1A), c.read8(0x1B)));
        int brc = c.read16(0x3E);
        for (int i = 0; i < 2; i++) {
            long base = c.read32(0x1C + 8 * i) & 0xFFFFFFFFL;
            long limit = (c.read32(0x20 + 8 * i) + 0xFFFL) & 0xFFFFFFFFL;
            if (base <= limit) {
                out.append(String.format("\tMemory window %d: %08x-%08x%s%s\n", i, base, limit,
                        (cmd & 2) != 0 ? "" : " [disabled]", (brc & (0x100 << i)) != 0 ? " (prefetchable)" : ""));
            }
        }
        for (int i = 0; i < 2; i++) {
            long base = c.read32(0x2C + 8 * i) & 0xFFFFFFFFL;
            long limit = c.read32(0x30 + 8 * i) & 0xFFFFFFFFL;
            if ((base & 1) == 0) {
                base &= 0xFFFF;
                limit &= 0xFFFF;
            }
            base &= ~3L;
            limit = ((limit & ~3L) + 3) & 0xFFFFFFFFL;
            if (base <= limit) {
                out.append(String.format("\tI/O window %d: %08x-%08x%s\n", i, base, limit,
                        (cmd & 1) != 0 ? "" : " [disabled]"));
            }
        }
        if ((c.read16(0x16) & 0x4000) != 0) {
            out.append("\tSecondary status: SERR\n");
        }
        if (verbosity > 1) {
            out.append(String.format("\tBridgeCtl: Parity%c SERR%c ISA%c VGA%c MAbort%c >Reset%c 16bInt%c PostWrite%c\n",
                    flag(brc, 0x1), flag(brc, 0x2), flag(brc, 0x4), flag(brc, 0x8), flag(brc, 0x20), flag(brc, 0x40),
                    flag(brc, 0x80), flag(brc, 0x400)));
        }
        if (c.size() < 128) {
            out.append("\t<access denied to the rest>\n");
            return false;
        }
        int exca = c.read16(0x44);
        if (exca != 0) {
            out.append(String.format("\t16-bit legacy interface ports at %04x\n", exca));
        }
        return true;
    }
}
