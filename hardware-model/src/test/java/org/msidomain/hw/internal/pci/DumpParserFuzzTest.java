package org.msidomain.hw.internal.pci;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the dump reader and the capability walk: whatever the bytes, a
 * dump is read or refused with the documented one-line {@link DumpFormatException} naming the file, and
 * what is read, and any config space at all, prints in pciutils' line shapes without another exception
 * and without hanging. {@code mvn verify} replays the saved inputs (one is the crash Jazzer found: an offset
 * beyond the int range) and fuzzes for 20 s (the {@code fuzz} surefire execution, which sets
 * {@code JAZZER_FUZZ}); a run of any length with Jazzer's driver is in the README.
 */
class DumpParserFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void dumpsAndTheCapabilityWalk(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of Jazzer's own driver, for runs of any length (see the README). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 2);
        byte[] bytes = data.consumeRemainingAsBytes();
        switch (kind) {
            case 0 -> DumpFuzzTest.check("0000:00:01.0.bin", bytes);
            case 1 -> DumpFuzzTest.check("fuzz.txt", ("00:01.0 Fuzzed device\n"
                    + new String(bytes, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
            default -> {
                if (bytes.length >= 64 && bytes.length <= 4096) {
                    String out = Lspci.print(List.of(new PciView(PciAddress.parse("00:01.0"), new PciConfig(bytes))), 2);
                    out.lines().forEach(line -> DumpFuzzTest.assertShape(line, out));
                }
            }
        }
    }
}
