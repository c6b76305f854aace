package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void aDeviceDefinedTwiceIsRefused() throws IOException {
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), dir.resolve("0000:00:04.0.bin"));
        assertEquals("$.pci[1]: device 00:04.0 is defined twice",
                refuse("{\"pci\": [{\"dump\": \"0000:00:04.0.bin\"}, {\"dump\": \"0000:00:04.0.bin\"}]}"));
        assertEquals("$.dmar[1].name: missing or used twice: d",
                refuse("{\"dmar\": [{\"name\": \"d\"}, {\"name\": \"d\"}]}"));
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
