package org.msidomain.hw.internal.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.internal.TestFiles;

/** The parsing rules of pciutils' lib/dump.c, and refusals that name the file and line. */
class DumpReaderTest {

    private static List<PciDump> text(String s) throws DumpFormatException {
        return DumpReader.read("t.txt", s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsSeveralDevicesWithCommentsCrlfUppercaseAndOneTrailingSpace() throws DumpFormatException {
        List<PciDump> d = text("# a comment\r\n00:01.0 Host bridge: x\r\n00: 86 80 AB cd \r\n10: 01\r\n3f: 07\r\n\r\n"
                + "0003:02:00.1 Other\n\tSubsystem: ignored -vv text\n00: ff ee\n30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n");
        assertEquals(2, d.size());
        assertEquals("00:01.0", d.get(0).address().toString());
        byte[] first = new byte[64];
        System.arraycopy(new byte[] { (byte) 0x86, (byte) 0x80, (byte) 0xab, (byte) 0xcd }, 0, first, 0, 4);
        first[0x10] = 1;
        first[0x3f] = 7;
        assertArrayEquals(first, d.get(0).bytes());
        assertEquals("0003:02:00.1", d.get(1).address().toString());
        assertEquals(64, d.get(1).bytes().length);
    }

    @Test
    void aDeviceShorterThanTheHeaderRefusesTheFileNamingItsLine() {
        // lspci -F shows such a device with the missing bytes as ff ("Unassigned class [ffff]"); the model has
        // no header to build it from
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> text("00:04.0 x\n00: 86 80 12 34\n"));
        assertEquals("t.txt:1: 00:04.0 has 4 bytes, less than the 64-byte header", e.getMessage());
        assertFalse(e.notADump(), "a damaged dump: left out inside a machine");
    }

    @Test
    void aFileWithNoDumpInItIsRefusedAsNotADump() {
        for (String notADump : new String[] { "hello\nworld\n", "00:04.0 Ethernet controller: Intel 82574L\n"
                + "\tSubsystem: Intel Device 0000\n\tCapabilities: [c8] Power Management version 2\n", "00:03.0\n00: 01 02\n" }) {
            DumpFormatException e = assertThrows(DumpFormatException.class, () -> text(notADump));
            assertEquals("t.txt: no dump in it (neither a binary config space nor the hex lines of lspci -x)", e.getMessage());
            assertTrue(e.notADump());
        }
    }

    @Test
    void onlyRegularFilesOfBoundedSizeAreOpened(@TempDir Path dir) throws Exception {
        Path zero = Path.of("/dev/zero");
        Assumptions.assumeTrue(Files.exists(zero), "needs /dev/zero");
        DumpFormatException device = assertThrows(DumpFormatException.class, () -> DumpReader.read(zero));
        assertEquals("/dev/zero: not a regular file (a FIFO, a device or a directory is never read)", device.getMessage());
        assertTrue(device.notADump());
        Path fifo = TestFiles.fifo(dir.resolve("0000:00:04.0.bin"));
        // opening a FIFO blocks until a writer comes: the refusal must come without opening it
        DumpFormatException pipe = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(DumpFormatException.class, () -> DumpReader.read(fifo)));
        assertEquals(fifo + ": not a regular file (a FIFO, a device or a directory is never read)", pipe.getMessage());
        Path huge = dir.resolve("huge.txt");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(DumpReader.MAX_FILE + 1L); // sparse: nothing is written
        }
        DumpFormatException big = assertThrows(DumpFormatException.class, () -> DumpReader.read(huge));
        assertEquals(huge + ": larger than the limit of 16 MiB", big.getMessage());
        assertTrue(big.notADump());
        assertEquals(dir + ": not a regular file (a FIFO, a device or a directory is never read)",
                assertThrows(DumpFormatException.class, () -> DumpReader.read(dir)).getMessage());
    }

    @Test
    void anOffsetBeyondTheIntRangeIsRefusedNotACrash() {
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> text("00:01.0 x\nb3333333: 00\n"));
        assertEquals("t.txt:2: offset beyond 4096 bytes", e.getMessage()); // found by Jazzer
    }

    @Test
    void aHeaderWithoutTheTrailingSpaceIsIgnored() throws DumpFormatException {
        String bytes = "00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
        List<PciDump> d = text("00:03.0\n" + bytes + "\n00:04.0 x\n" + bytes);
        assertEquals(List.of("00:04.0"), d.stream().map(p -> p.address().toString()).toList());
    }

    @Test
    void malformedLinesRefuseTheWholeFileNamingTheLine() {
        DumpFormatException token = assertThrows(DumpFormatException.class, () -> text("00:01.0 x\n00: 00 000 00\n"));
        assertEquals("t.txt:2: malformed line", token.getMessage());
        DumpFormatException spaces = assertThrows(DumpFormatException.class, () -> text("00:01.0 x\n00: 00 11  \n"));
        assertEquals("t.txt:2: malformed line", spaces.getMessage());
    }

    @Test
    void theDumpLspciRejectsIsRejected() throws Exception {
        Path rejected = Path.of(getClass().getResource("/corpus/public/rejected/qualcomm-010b-rootport.full-as-posted.txt").toURI());
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> DumpReader.read(rejected));
        assertTrue(e.getMessage().matches(".*qualcomm-010b-rootport.full-as-posted.txt:\\d+: malformed line"), e.getMessage());
    }

    @Test
    void binaryDumpsTakeTheAddressFromTheNameAndAreBounded(@TempDir Path dir) throws Exception {
        byte[] cfg = new byte[256];
        cfg[0] = (byte) 0xf4;
        cfg[1] = 0x1a;
        Path ok = Files.write(dir.resolve("0000:00:04.0.bin"), cfg);
        assertEquals("00:04.0", DumpReader.read(ok).get(0).address().toString());
        Path big = Files.write(dir.resolve("0000:00:05.0.bin"), new byte[4097]);
        assertEquals(big + ": 4097 bytes is more than the 4096 of a config space",
                assertThrows(DumpFormatException.class, () -> DumpReader.read(big)).getMessage());
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertEquals(empty + ": empty file", assertThrows(DumpFormatException.class, () -> DumpReader.read(empty)).getMessage());
        byte[] noise = new byte[300];
        new Random(7).nextBytes(noise);
        Path random = Files.write(dir.resolve("noise.bin"), noise);
        assertTrue(assertThrows(DumpFormatException.class, () -> DumpReader.read(random)).getMessage()
                .contains("address is not in the file name"));
        Path shortDump = Files.write(dir.resolve("0000:00:06.0.bin"), new byte[20]);
        assertTrue(assertThrows(DumpFormatException.class, () -> DumpReader.read(shortDump)).getMessage()
                .endsWith("20 bytes is less than the 64-byte header"));
    }

    @Test
    void aSixtyFourByteDumpShowsAccessDenied() throws Exception {
        Path dump = Path.of(getClass().getResource("/corpus/public/intel-i210-64byte-dump.txt").toURI());
        String out = CorpusLspciTest.vv(dump);
        assertTrue(out.contains("\tCapabilities: <access denied>\n"), out);
    }

    @Test
    void loopsAndBrokenChainsArePrintedAsPciutilsDoes() {
        byte[] cfg = new byte[256];
        cfg[0x06] = 0x10;       // Status: capability list
        cfg[0x34] = 0x40;
        cfg[0x40] = 0x01;       // PM, next 0x50
        cfg[0x41] = 0x50;
        cfg[0x50] = 0x05;       // MSI, next back to 0x40
        cfg[0x51] = 0x41;       // masked to 0x40
        String looped = Lspci.print(List.of(new PciView(PciAddress.parse("00:01.0"), new PciConfig(cfg))), 1);
        assertTrue(looped.contains("\tCapabilities: [40] <chain looped>\n"), looped);
        cfg[0x51] = 0x60;
        cfg[0x60] = (byte) 0xff;
        String broken = Lspci.print(List.of(new PciView(PciAddress.parse("00:01.0"), new PciConfig(cfg))), 1);
        assertTrue(broken.contains("\tCapabilities: [60] <chain broken>\n"), broken);
        cfg[0x0e] = 0x7f;
        String unknown = Lspci.print(List.of(new PciView(PciAddress.parse("00:01.0"), new PciConfig(cfg))), 1);
        assertTrue(unknown.contains("\t!!! Unknown header type 7f\n"), unknown);
    }
}
