package org.msidomain.hw.internal.pci;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing (jqwik) of the dump reader and the capability walk: any input is either read
 * or refused with the documented one-line {@link DumpFormatException}; whatever is read prints without
 * an exception, without hanging, and only in pciutils' line shapes. A short run is part of
 * {@code mvn verify}; for a long one: {@code mvn -pl hardware-model test -Dtest=DumpFuzzTest
 * -Djqwik.tries.default=1000000} (see the README).
 */
class DumpFuzzTest {

    /** Every line lspci prints, in pciutils' shapes (their content is checked by PciutilsDifferentialTest). */
    static final Pattern LINE = Pattern.compile("(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] Class [0-9a-f]{4}: Device "
            + "[0-9a-f]{4}:[0-9a-f]{4}( \\(rev [0-9a-f]{2}\\))?( \\(prog-if [0-9a-f]{2}( \\[[A-Za-z ]*\\])?\\))?"
            + "|\\tCapabilities: (\\[[0-9a-f]{2}\\] .*|\\[[0-9a-f]{3}( v[0-9]+)?\\] .*|<access denied>)"
            + "|\\t\\t(Address: [0-9a-f]{8}([0-9a-f]{8})?  Data: [0-9a-f]{4}|Masking: [0-9a-f]{8}  Pending: [0-9a-f]{8}"
            + "|Vector table: BAR=[0-7] offset=[0-9a-f]{8}|PBA: BAR=[0-7] offset=[0-9a-f]{8}"
            + "|Mapping Address Base: [0-9a-f]{16}|Flags: PMEClk[+-] .*|Status: D[0-3] NoSoftRst.*|Bridge: PM[+-] B3[+-]|PriDiscTmr[+-] SecDiscTmr[+-] DiscTmrStat[+-] DiscTmrSERREn[+-])"
            + "|\\t(Subsystem: Device [0-9a-f]{4}:[0-9a-f]{4}|Control: I/O[+-] .*|Status: Cap[+-] .*|Latency: [0-9]+.*"
            + "|Interrupt: pin [\\s\\S]?( routed to IRQ [0-9]+)?|Flags: .*devsel.*|BIST (is running|result: [0-9a-f]{2})"
            + "|(Region [0-5]: )?(I/O ports|Memory) at .*|Expansion ROM at .*|Bus: primary=.*"
            + "|(I/O|Memory|Prefetchable memory) behind bridge: .*|(Memory|I/O) window [01]: .*|Secondary status: .*"
            + "|BridgeCtl: .*|16-bit legacy interface ports at [0-9a-f]{4}|!!! .*)"
            // PCI Express (ExpressLines) and Advanced Error Reporting (AerLines), with their continuation lines
            + "|\\t\\t(DevCap|DevCtl|DevSta|LnkCap|LnkCtl|LnkSta|SltCap|SltCtl|SltSta|UESta|UEMsk|UESvrt|CESta|CEMsk|AERCap):\\t.*"
            + "|\\t\\t(RootCap|RootCtl|RootSta|DevCap2|DevCtl2|LnkCap2|LnkCtl2|LnkSta2|HeaderLog|RootCmd|ErrorSrc): .*"
            + "|\\t\\t\\t[ A-Z].*"
            // ACS, ARI, ATS, SR-IOV, PRI, LTR, Secondary PCI Express, PASID, DPC (ExtendedLines)
            + "|\\t\\t(ACSCap|ACSCtl|ARICap|ARICtl|ATSCap|ATSCtl|IOVCap|IOVCtl|IOVSta|DpcCap|DpcCtl|DpcSta|Source):\\t.*"
            + "|\\t\\t(PRICtl|PRISta|PASIDCap|PASIDCtl|LnkCtl3|LaneErrStat|Max snoop latency|Max no snoop latency"
            + "|Initial VFs|VF offset|Supported Page Size|Page Request Capacity|VF Migration): .*"
            + "|\\t\\tRegion [0-5]: Memory at [0-9a-f]{8,16} \\((32|64)-bit, (non-)?prefetchable\\)"
            // Virtual Channel, Resizable BAR, TPH, L1 PM Substates, PTM (VirtualChannelLines, ExtendedLines)
            + "|\\t\\t(Caps|Arb|Ctrl|Status|VC[0-7]):\\t.*|\\t\\tPort Arbitration Table \\[[0-9a-f]+\\] <\\?>"
            + "|\\t\\tBAR [0-7]: current size: .*|\\t\\t<error in resizable BAR: num_bars=[0-7] is out of specification>"
            + "|\\t\\t(Interrupt vector mode|Device specific mode) supported|\\t\\tExtended requester support"
            + "|\\t\\t(No steering table available|Steering table in (TPH capability structure|MSI-X table)"
            + "|Reserved steering table location)"
            + "|\\t\\t(L1SubCap|L1SubCtl1|PTMCap|PTMClockGranularity|PTMControl|PTMEffectiveGranularity): .*"
            + "|\\t\\tL1SubCtl2:( T_PwrOn=.*)?|\\t\\t<unreadable>"
            // PCI Advanced Features (Capabilities), Root Complex Link and RCEC Endpoint Association (ExtendedLines)
            + "|\\t\\tAFCap: TP[+-] FLR[+-]|\\t\\tAFCtrl: FLR[+-]|\\t\\tAFStatus: TP[+-]"
            + "|\\t\\t(Desc|Link[0-9]+):\\t.*|\\t\\t(RCiEPBitmap|AssociatedBusNumbers): .*"
            + "|\\t\\tEntry [0-9]+: Enable[+-] Writable[+-] EntrySize=[0-7]"
            + "|\\t<access denied to the rest>|"
            + "| routed to IRQ [0-9]+"); // after a pin letter that is a line break (a C char: 'A' + pin - 1)

    @Property
    void arbitraryBytesAsABinaryDump(@ForAll @Size(max = 5000) byte[] bytes) {
        check("0000:00:01.0.bin", bytes);
    }

    @Property
    void arbitraryHexTextLines(@ForAll("dumpText") String text) {
        check("fuzz.txt", text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Property
    void arbitraryConfigSpacesWalkAndPrint(@ForAll("configSpace") byte[] config) {
        String out = Lspci.print(List.of(new PciView(PciAddress.parse("00:01.0"), new PciConfig(config))), 2);
        out.lines().forEach(l -> assertShape(l, out));
    }

    /** A dump is read and prints in pciutils' shapes, or is refused with one line naming it; shared with the Jazzer test. */
    static void check(String name, byte[] content) {
        List<PciDump> dumps;
        try {
            dumps = DumpReader.read(name, content);
        } catch (DumpFormatException e) {
            if (!e.getMessage().startsWith(name + ":") || e.getMessage().lines().count() != 1) {
                throw new AssertionError("not one line naming the file: " + e.getMessage());
            }
            return;
        }
        for (PciDump d : dumps) {
            if (d.bytes().length > 4096) {
                throw new AssertionError("more than 4096 bytes read");
            }
            String out = Lspci.print(List.of(new PciView(d.address(), new PciConfig(d.bytes()))), 2);
            out.lines().forEach(l -> assertShape(l, out));
        }
    }

    static void assertShape(String line, String all) {
        if (!LINE.matcher(line).matches()) {
            throw new AssertionError("not a pciutils line: '" + line + "' in\n" + all);
        }
    }

    /** Config spaces that have a capability list, so the walk really runs: pointers anywhere, loops likely. */
    @Provide
    Arbitrary<byte[]> configSpace() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(64).ofMaxSize(4096).map(b -> {
            b[0x06] |= 0x10;
            b[0x0E] = (byte) (b[0x0E] & 0x83);
            return b;
        });
    }

    /** lspci -x style text: a header, then offset lines whose tokens are mostly right and sometimes not. */
    @Provide
    Arbitrary<String> dumpText() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(i -> String.format("%02x", i)),
                Arbitraries.strings().withCharRange('0', 'g').ofMinLength(1).ofMaxLength(4));
        Arbitrary<String> offsetLine = Arbitraries.integers().between(0, 0x1100).flatMap(off ->
                token.list().ofMaxSize(18).map(t -> String.format("%02x:", off & ~0xF) + (t.isEmpty() ? "" : " " + String.join(" ", t))));
        Arbitrary<String> line = Arbitraries.oneOf(offsetLine, offsetLine, offsetLine,
                Arbitraries.of("", "# comment", "00:02.0 Next device", "\tCapabilities: [40] ignored"));
        return line.list().ofMaxSize(40).map(lines -> "00:01.0 Fuzzed device\n" + String.join("\n", lines) + "\n");
    }
}
