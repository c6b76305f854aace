package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.DeviceSpec;

/** Machine descriptions: bad ones are refused with the JSON path of the problem; bad dumps are left out. */
class MachineLoaderTest {

    @TempDir
    Path dir;

    private String refuse(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("m.json"), json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    @Test
    void unknownKeysWrongTypesAndImpossibleValuesNameTheirPath() throws IOException {
        assertTrue(refuse("{\"cpus\": 4, \"colour\": \"red\"}").startsWith("$.colour: "), "unknown key");
        assertTrue(refuse("{\"cpus\": \"four\"}").startsWith("$.cpus: "), "wrong type");
        assertEquals("$.cpus: 0 CPUs is impossible (1-256)", refuse("{\"cpus\": 0}"));
        assertEquals("$.cpus: 1000 CPUs is impossible (1-256)", refuse("{\"cpus\": 1000}"));
        assertEquals("$.apicIds: 1 ids for 2 CPUs", refuse("{\"cpus\": 2, \"apicIds\": [0]}"));
        assertTrue(refuse("{\"cpus\": 2, \"apicIds\": [3, 3]}").startsWith("$.apicIds[1]: 3 is not a free APIC id"));
        assertTrue(refuse("{\"pci\": [{\"dump\": \"a.bin\"}, {\"bogus\": 1}]}").startsWith("$.pci[1].bogus: "));
        assertEquals("$.hpet.timers: an HPET has 3-32 timers, not 2", refuse("{\"hpet\": {\"timers\": 2}}"));
        assertEquals("$.platform[0].slots: 1-2048, not 0", refuse("{\"platform\": [{\"name\": \"p\", \"slots\": 0}]}"));
        assertEquals("not valid JSON", refuse("{\"cpus\": ").substring(0, 14));
    }

    @Test
    void devicesEntriesAreReadWithTheirKindNameRequesterIdAndPropertiesAsText() throws IOException {
        Path file = Files.writeString(dir.resolve("m.json"), "{\"devices\": ["
                + "{\"kind\": \"ntb\", \"name\": \"ntb0\", \"requesterId\": \"03:00.1\","
                + " \"properties\": {\"doorbells\": 4, \"fast\": true, \"label\": \"left\", \"ratio\": 1.5}},"
                + "{\"kind\": \"pci\", \"name\": \"00:1F.2\", \"properties\": {\"dump\": \"ahci.bin\"}},"
                + "{\"kind\": \"pci\", \"name\": \"00:1e.0\", \"requesterId\": \"00:1f.0\"},"
                + "{\"kind\": \"ntb\", \"name\": \"ntb1\"}]}");
        MachineSpec spec = MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get);
        assertEquals(List.of(
                new DeviceSpec("ntb", "ntb0", 0x0301, Map.of("doorbells", "4", "fast", "true", "label", "left", "ratio", "1.5"), dir),
                new DeviceSpec("pci", "00:1f.2", 0x00FA, Map.of("dump", "ahci.bin"), dir),
                new DeviceSpec("pci", "00:1e.0", 0x00F8, Map.of(), dir),
                new DeviceSpec("ntb", "ntb1", -1, Map.of(), dir)), spec.devices(),
                "03:00.1 = 3 << 8 | 0 << 3 | 1; 00:1f.2 = 0x1f << 3 | 2; a pci device's own address unless requesterId says");
    }

    @Test
    void aBadDevicesEntryIsRefusedInOneLineNamingItsPath() throws IOException {
        assertTrue(refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"colour\": 1}]}")
                .startsWith("$.devices[0].colour: "), "unknown field");
        assertEquals("$.devices[0].kind: missing", refuse("{\"devices\": [{\"name\": \"n\"}]}"));
        assertEquals("$.devices[0].name: missing", refuse("{\"devices\": [{\"kind\": \"ntb\"}]}"));
        assertEquals("$.devices[0].kind: 'n b' is not a kind name (a letter, then letters, digits, _ . -; 1-32 characters)",
                refuse("{\"devices\": [{\"kind\": \"n b\", \"name\": \"n\"}]}"));
        assertEquals("$.devices[0].name: '00:04.0' is not a device name (a letter, then letters, digits, _ . -; 1-32 characters)",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"00:04.0\"}]}"), "a PCI address names only a pci device");
        assertEquals("$.devices[1].name: another device is named 'ims0'",
                refuse("{\"platform\": [{\"name\": \"ims0\", \"slots\": 2}], \"devices\": [{\"kind\": \"ntb\", \"name\": \"n\"},"
                        + " {\"kind\": \"ntb\", \"name\": \"ims0\"}]}"), "one name space with the sections");
        assertEquals("$.devices[1].name: another device is named '00:04.0'",
                refuse("{\"devices\": [{\"kind\": \"pci\", \"name\": \"00:04.0\"}, {\"kind\": \"pci\", \"name\": \"00:04.0\"}]}"));
        assertEquals("$.devices[0].requesterId: '3:0.0' is not a requester id bb:dd.f",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"requesterId\": \"3:0.0\"}]}"));
        assertEquals("$.devices[0].requesterId: '00:20.0' is not a requester id bb:dd.f",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"requesterId\": \"00:20.0\"}]}"),
                "device numbers are 5 bits: 00-1f");
        assertEquals("$.devices[0].properties.map: an object is not a property value (a string, number or boolean)",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"properties\": {\"map\": {}}}]}"));
        assertEquals("$.devices[0].properties.list: an array is not a property value (a string, number or boolean)",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"properties\": {\"list\": [1]}}]}"));
        assertEquals("$.devices[0].properties.none: null is not a property value (a string, number or boolean)",
                refuse("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"properties\": {\"none\": null}}]}"));
        assertEquals("$.devices[0]: null is not a device entry", refuse("{\"devices\": [null]}"));
        assertTrue(refuse("{\"devices\": [{\"kind\": 1, \"name\": \"n\"}]}").startsWith("$.devices[0].kind: 1 is not a string"));
        for (String json : List.of("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"colour\": 1}]}",
                "{\"devices\": [{\"kind\": \"ntb\", \"name\": \"n\", \"properties\": {\"map\": {}}}]}")) {
            assertEquals(1, refuse(json).lines().count(), "one line");
        }
    }

    @Test
    void aDeviceDefinedTwiceIsRefused() throws IOException {
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), dir.resolve("0000:00:04.0.bin"));
        assertEquals("$.pci[1]: device 00:04.0 is defined twice",
                refuse("{\"pci\": [{\"dump\": \"0000:00:04.0.bin\"}, {\"dump\": \"0000:00:04.0.bin\"}]}"));
        assertEquals("$.dmar[1].name: another device is named 'd'",
                refuse("{\"dmar\": [{\"name\": \"d\"}, {\"name\": \"d\"}]}"));
        assertEquals("$.platform[0].name: another device is named 'dmar0'",
                refuse("{\"dmar\": [{\"name\": \"dmar0\"}], \"platform\": [{\"name\": \"dmar0\", \"slots\": 2}]}"),
                "one name space for every kind of device");
        assertEquals("$.platform[0].name: another device is named 'hpet'",
                refuse("{\"hpet\": {\"timers\": 3}, \"platform\": [{\"name\": \"hpet\", \"slots\": 2}]}"));
    }

    @Test
    void aBadDumpIsLeftOutWithOneLineAndTheRestOfTheMachineBoots() throws IOException {
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), dir.resolve("0000:00:04.0.bin"));
        Files.writeString(dir.resolve("broken.txt"), "00:07.0 x\n00: 00 000 00\n");
        Files.write(dir.resolve("0000:00:09.0.bin"), new byte[10]);
        Path file = Files.writeString(dir.resolve("m.json"), "{\"pci\": [{\"dump\": \"broken.txt\"}, "
                + "{\"dump\": \"0000:00:04.0.bin\"}, {\"dump\": \"0000:00:09.0.bin\"}, {\"dump\": \"missing.bin\"}]}");
        MachineSpec spec = MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get);
        assertEquals(1, spec.pci().size(), "the good dump boots");
        assertEquals("00:04.0", spec.pci().get(0).address().toString());
        assertEquals(3, spec.problems().size(), spec.problems().toString());
        assertEquals("broken.txt:2: malformed line", spec.problems().get(0));
        assertTrue(spec.problems().get(1).endsWith("10 bytes is less than the 64-byte header"), spec.problems().get(1));
        assertTrue(spec.problems().get(2).contains("missing.bin: cannot read"), spec.problems().get(2));
        spec.problems().forEach(p -> assertEquals(1, p.lines().count(), "one line each"));
        SimMachine machine = new SimMachine(spec);
        assertEquals(1, machine.devices().size());
    }

    @Test
    void theJsonIsStrictNoCoercionNoDuplicateKeysNoTrailingGarbage() throws IOException {
        assertEquals("$.cpus: \"4\" is not an integer", refuse("{\"cpus\": \"4\"}"));
        assertEquals("$.cpus: 4.9 is not an integer", refuse("{\"cpus\": 4.9}"));
        assertEquals("$.cpus: 4.0 is not an integer", refuse("{\"cpus\": 4.0}"));
        assertEquals("$.cpus: true is not an integer", refuse("{\"cpus\": true}"));
        assertEquals("$.apicIds[1]: \"1\" is not an integer", refuse("{\"cpus\": 2, \"apicIds\": [0, \"1\"]}"));
        assertEquals("$.platform[0].queued: 1 is not true or false",
                refuse("{\"platform\": [{\"name\": \"q\", \"slots\": 2, \"queued\": 1}]}"));
        assertEquals("$.platform[0].queued: \"true\" is not true or false",
                refuse("{\"platform\": [{\"name\": \"q\", \"slots\": 2, \"queued\": \"true\"}]}"));
        assertEquals("$.platform[0].name: 5 is not a string", refuse("{\"platform\": [{\"name\": 5, \"slots\": 2}]}"));
        assertEquals("$.hpet.fsbTimers: 2 is not an array", refuse("{\"hpet\": {\"timers\": 3, \"fsbTimers\": 2}}"));
        assertEquals("$.hpet: \"x\" is not an object", refuse("{\"hpet\": \"x\"}"));
        String duplicate = refuse("{\"cpus\": 2, \"cpus\": 4}");
        assertTrue(duplicate.startsWith("not valid JSON: Duplicate field 'cpus'"), duplicate);
        String trailing = refuse("{\"cpus\": 2} {\"cpus\": 4}");
        assertTrue(trailing.startsWith("not valid JSON: Trailing token"), trailing);
        assertEquals(1, trailing.lines().count());
    }

    @Test
    void deviceNamesAreOfTheSafeAlphabet() throws IOException {
        for (String bad : new String[] { "", "ims 0", "00:04.0", "ims0/1", "ims;0", "9ims", "-x",
            "a23456789012345678901234567890123", "ims\u00e9" }) {
            assertEquals("$.platform[0].name: '" + bad + "' is not a device name (a letter, then letters, digits, _ . -; "
                    + "1-32 characters)", refuse("{\"platform\": [{\"name\": \"" + bad + "\", \"slots\": 2}]}"), bad);
        }
        assertEquals("$.dmar[0].name: 'dmar 0' is not a device name (a letter, then letters, digits, _ . -; 1-32 characters)",
                refuse("{\"dmar\": [{\"name\": \"dmar 0\"}]}"));
        Path ok = Files.writeString(dir.resolve("ok.json"), "{\"platform\": [{\"name\": \"Ims-0.a_B\", \"slots\": 2}, "
                + "{\"name\": \"a2345678901234567890123456789012\", \"slots\": 1}]}");
        assertEquals(2, MachineLoader.load(Map.of(MachineLoader.FILE, ok.toString())::get).platform().size());
    }

    @Test
    void anX2apicIdNeedsInterruptRemapping() throws IOException {
        // Linux brings no CPU online whose APIC id a message cannot reach: without IR the limit is 255
        assertEquals("$.apicIds[2]: 300 is an x2APIC id: above 255 needs interrupt remapping (a dmar unit with irtSize)",
                refuse("{\"cpus\": 4, \"apicIds\": [0, 1, 300, 3], \"dmar\": [{\"name\": \"dmar0\"}]}"));
        assertEquals("$.apicIds[0]: 256 is an x2APIC id: above 255 needs interrupt remapping (a dmar unit with irtSize)",
                refuse("{\"cpus\": 1, \"apicIds\": [256]}"));
        Path remapped = Files.writeString(dir.resolve("r.json"),
                "{\"cpus\": 2, \"apicIds\": [255, 300], \"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 256}]}");
        assertEquals(List.of(255, 300), MachineLoader.load(Map.of(MachineLoader.FILE, remapped.toString())::get).apicIds());
    }

    @Test
    void aPciEntryThatIsNotADumpRefusesTheDescription() throws Exception {
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), dir.resolve("0000:00:04.0.bin"));
        Files.writeString(dir.resolve("notes.txt"), "00:04.0 Ethernet controller: x\n\tCapabilities: [98] MSI-X\n");
        assertEquals("$.pci[1].dump: notes.txt: no dump in it (neither a binary config space nor the hex lines of lspci -x)",
                refuse("{\"pci\": [{\"dump\": \"0000:00:04.0.bin\"}, {\"dump\": \"notes.txt\"}]}"));
        assertEquals("$.pci[0].dump: /dev/zero: not a regular file (a FIFO, a device or a directory is never read)",
                refuse("{\"pci\": [{\"dump\": \"/dev/zero\"}]}"));
        Path fifo = TestFiles.fifo(dir.resolve("0000:00:05.0.bin"));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(
                "$.pci[0].dump: " + fifo + ": not a regular file (a FIFO, a device or a directory is never read)",
                refuse("{\"pci\": [{\"dump\": \"0000:00:05.0.bin\"}]}")));
    }

    @Test
    void theDescriptionItselfIsARegularFileOfBoundedSize() throws Exception {
        Path fifo = TestFiles.fifo(dir.resolve("m.fifo"));
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                IllegalArgumentException.class, () -> MachineLoader.load(Map.of(MachineLoader.FILE, fifo.toString())::get)));
        assertEquals(fifo + ": not a regular file (a FIFO, a device or a directory is never read)", e.getMessage());
        Path big = Files.writeString(dir.resolve("big.json"), "{\"cpus\": 4" + " ".repeat(MachineLoader.MAX_DESCRIPTION) + "}");
        assertEquals(big + ": larger than the limit of 1 MiB", assertThrows(IllegalArgumentException.class,
                () -> MachineLoader.load(Map.of(MachineLoader.FILE, big.toString())::get)).getMessage());
    }

    @Test
    void dumpOptionsThatAreNotDumpsOrLeaveNothingRefuseTheMachine() throws Exception {
        Path good = dir.resolve("0000:00:04.0.bin");
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), good);
        Path plain = Files.writeString(dir.resolve("plain.txt"), "just some notes\n");
        Path shortText = Files.writeString(dir.resolve("short.txt"), "00:05.0 x\n00: 86 80 12 34\n");
        assertEquals(plain + ": no dump in it (neither a binary config space nor the hex lines of lspci -x)",
                dumpsRefused(good, plain), "the wrong file named: refused even beside a good dump");
        assertEquals("/dev/zero: not a regular file (a FIFO, a device or a directory is never read)",
                dumpsRefused(Path.of("/dev/zero")));
        Path fifo = TestFiles.fifo(dir.resolve("0000:00:06.0.bin"));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(
                fifo + ": not a regular file (a FIFO, a device or a directory is never read)", dumpsRefused(fifo)));
        assertEquals(shortText + ":1: 00:05.0 has 4 bytes, less than the 64-byte header", dumpsRefused(shortText),
                "a damaged dump that leaves no PCI function refuses the machine");
        MachineSpec spec = MachineLoader.load(Map.of(MachineLoader.DUMPS, shortText + "\n" + good)::get);
        assertEquals(1, spec.pci().size(), "beside a good dump, a damaged one is left out");
        assertEquals(List.of(shortText + ":1: 00:05.0 has 4 bytes, less than the 64-byte header"), spec.problems());
    }

    private static String dumpsRefused(Path... dumps) {
        String list = String.join(MachineLoader.DUMP_SEPARATOR, java.util.Arrays.stream(dumps).map(Path::toString).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MachineLoader.load(Map.of(MachineLoader.DUMPS, list)::get));
        assertEquals(1, e.getMessage().lines().count());
        return e.getMessage();
    }

    @Test
    void aSysfsConfigThatIsNotAFileIsLeftOutWithoutBeingOpened() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("sysfs"));
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"),
                Files.createDirectory(tree.resolve("0000:00:04.0")).resolve("config"));
        Path zero = Files.createSymbolicLink(Files.createDirectory(tree.resolve("0000:00:05.0")).resolve("config"),
                Path.of("/dev/zero"));
        Path fifo = TestFiles.fifo(
                Files.createDirectory(tree.resolve("0000:00:06.0")).resolve("config"));
        MachineSpec spec = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> MachineLoader.load(Map.of(MachineLoader.SYSFS, tree.toString())::get));
        assertEquals(1, spec.pci().size());
        assertEquals(List.of(zero + ": not a regular file (a FIFO, a device or a directory is never read)",
                fifo + ": not a regular file (a FIFO, a device or a directory is never read)"), spec.problems());
    }

    @Test
    void a64BitMsiCapabilityCutOffByTheDumpsEndBuildsAFunctionWithoutMsi() throws IOException {
        // found by PciutilsDifferentialTest: a 256-byte dump whose MSI capability (64-bit, data at +0x0C) starts at 0xF4
        byte[] config = new byte[256];
        config[0x06] = 0x10; // capability list
        config[0x34] = (byte) 0xF4;
        config[0xF4] = 0x05; // MSI
        config[0xF6] = (byte) 0x80; // 64-bit address: the data register would be at 0x100, beyond the 256 bytes
        Path dump = Files.write(dir.resolve("0000:00:08.0.bin"), config);
        SimMachine machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.DUMPS, dump.toString())::get));
        assertEquals("", machine.device("00:08.0").orElseThrow().storageType(), "nothing a provider could program");
    }

    @Test
    void anMsixCapabilityCutOffByTheDumpsEndBuildsAFunctionWithoutMsix() throws IOException {
        byte[] config = new byte[256];
        config[0x06] = 0x10; // capability list
        config[0x34] = (byte) 0xFC;
        config[0xFC] = 0x11; // MSI-X, its table and PBA registers beyond the 256 bytes
        Path dump = Files.write(dir.resolve("0000:00:07.0.bin"), config);
        SimMachine machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.DUMPS, dump.toString())::get));
        assertEquals("", machine.device("00:07.0").orElseThrow().storageType(), "nothing a provider could program");
    }

    @Test
    void theDefaultMachineLoads() {
        MachineSpec spec = MachineLoader.load(k -> null);
        assertEquals(4, spec.apicIds().size());
        assertEquals(9, spec.pci().size());
        assertEquals(2, spec.platform().size());
        assertEquals(1, spec.dmar().size());
        assertTrue(spec.problems().isEmpty(), spec.problems().toString());
    }
}
