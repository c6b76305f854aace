package org.msidomain.hw.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.MachineSpec;
import org.msidomain.hw.internal.SimMachine;

/** Configurations laid over the launcher's description: what they change, and how a bad one is named. */
class MachineOverlayTest {

    private static final String MACHINE = "org.msidomain.machine";

    @TempDir
    Path dir;

    private static ConfigRecord machine(Object... keyValues) {
        return new ConfigRecord(MACHINE, null, map(keyValues));
    }

    private static ConfigRecord factory(String kind, String name, Object... keyValues) {
        String factoryPid = MACHINE + "." + kind;
        return new ConfigRecord(factoryPid + "~" + name, factoryPid, map(keyValues));
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static MachineLoader.Base defaultMachine() {
        return MachineLoader.base(k -> null);
    }

    private static MachineSpec build(MachineLoader.Base base, ConfigRecord... configs) {
        return MachineOverlay.of(base, List.of(configs)).build();
    }

    private static String refusal(MachineLoader.Base base, ConfigRecord... configs) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(base, configs));
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private MachineLoader.Base file(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("m.json"), json);
        return MachineLoader.base(Map.of(MachineLoader.FILE, file.toString())::get);
    }

    @Test
    void withoutConfigurationsTheDescriptionIsUnchanged() {
        MachineSpec plain = MachineLoader.build(defaultMachine());
        MachineSpec overlaid = build(defaultMachine());
        assertEquals(plain.apicIds(), overlaid.apicIds());
        assertEquals(plain.pci().size(), overlaid.pci().size());
        assertEquals(plain.platform(), overlaid.platform());
        assertEquals(plain.dmar(), overlaid.dmar());
        assertEquals(plain.hpet(), overlaid.hpet());
    }

    @Test
    void aCpuCountReplacesTheDescriptionsAndItsApicIds() throws IOException {
        MachineLoader.Base base = file("{\"cpus\": 2, \"apicIds\": [4, 5]}");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), build(base, machine("cpus", 8)).apicIds());
        assertEquals(List.of(0, 2, 4, 6), build(base, machine("cpus", 4, "apicIds", new int[] { 0, 2, 4, 6 })).apicIds());
    }

    @Test
    void stringsOfACfgFileAreTypedByTheKey() {
        MachineSpec spec = build(defaultMachine(), machine("cpus", "4", "apicIds", "1, 3, 5, 7", "baseDevices", "false",
                "hpetTimers", " 4 ", "hpetFsbTimers", "2,3"), factory("platform", "q", "name", "q", "slots", "16",
                        "queued", "TRUE"));
        assertEquals(List.of(1, 3, 5, 7), spec.apicIds());
        assertEquals(4, spec.hpet().timers());
        assertEquals(List.of(2, 3), spec.hpet().fsbTimers());
        assertEquals(1, spec.platform().size());
        assertEquals(16, spec.platform().get(0).slots());
        assertTrue(spec.platform().get(0).queued());
        assertTrue(spec.pci().isEmpty() && spec.dmar().isEmpty(), "baseDevices=false: only what is configured");
    }

    @Test
    void aPlatformDeviceOfTheSameNameReplacesTheDescriptionsElseItIsAdded() {
        MachineOverlay overlay = MachineOverlay.of(defaultMachine(), List.of(factory("platform", "a", "name", "ims0",
                "slots", 16), factory("platform", "b", "name", "ims9")));
        MachineSpec spec = overlay.build();
        assertEquals(List.of("ims0", "queue0", "ims9"), spec.platform().stream().map(p -> p.name()).toList());
        assertEquals(16, spec.platform().get(0).slots(), "replaced");
        assertEquals(8, spec.platform().get(2).slots(), "added, with the default of 8 slots");
        assertEquals(List.of(MACHINE + ".platform~a", MACHINE + ".platform~b"), overlay.pids());
        assertEquals(14, new SimMachine(spec).devices().size(), "9 PCI functions, the HPET, dmar0, 3 platform devices");
    }

    @Test
    void twoConfigurationsOfOneNameAreRefusedNamingTheSecond() {
        assertEquals(MACHINE + ".platform~b: name: another device is named 'ims0'", refusal(defaultMachine(),
                factory("platform", "a", "name", "ims0"), factory("platform", "b", "name", "ims0")));
        assertEquals(MACHINE + ".dmar~x: name: another device is named 'hpet'", refusal(defaultMachine(),
                factory("dmar", "x", "name", "hpet")),
                "one name space for platform devices, DMAR units and the HPET");
    }

    @Test
    void aBadValueIsRefusedNamingThePidAndTheKey() throws IOException {
        MachineLoader.Base base = defaultMachine();
        assertEquals(MACHINE + ".platform~bad: slots: 1-2048, not 0",
                refusal(base, factory("platform", "bad", "name", "p", "slots", 0)));
        assertEquals(MACHINE + ": cpus: 0 CPUs is impossible (1-256)", refusal(base, machine("cpus", 0)));
        assertEquals(MACHINE + ": cpus: 'eight' is not an integer", refusal(base, machine("cpus", "eight")));
        assertEquals(MACHINE + ": apicIds: 3 ids for 4 CPUs", refusal(base, machine("apicIds", List.of(0, 1, 2))));
        assertTrue(refusal(base, machine("apicIds", "0,3,3,1")).startsWith(MACHINE + ": apicIds[2]: 3 is not a free APIC id"));
        assertEquals(MACHINE + ": hpetFsbTimers[1]: no timer 4",
                refusal(base, machine("hpetTimers", 4, "hpetFsbTimers", new Integer[] { 3, 4 })));
        assertEquals(MACHINE + ": hpetTimers: an HPET has 3-32 timers, not 40", refusal(base, machine("hpetTimers", 40)));
        assertEquals(MACHINE + ": irtSize: an interrupt remapping table has 2^(S+1) entries, up to 65536, not 100",
                refusal(base, machine("interruptRemapping", true, "irtSize", 100)));
        assertEquals(MACHINE + ": interruptRemapping: 'yes' is neither true nor false",
                refusal(base, machine("interruptRemapping", "yes")));
        assertEquals(MACHINE + ": cpu: unknown key (known: cpus, apicIds, baseDevices, hpetTimers, hpetFsbTimers, "
                + "interruptRemapping, irtSize)", refusal(base, machine("cpu", 8)));
        assertEquals(MACHINE + ".platform~p: name: missing", refusal(base, factory("platform", "p", "slots", 4)));
        assertEquals(MACHINE + ".dmar~d: irtSize: only one DMAR unit may remap interrupts", refusal(base,
                factory("dmar", "c", "name", "dmar0", "irtSize", 64), factory("dmar", "d", "name", "dmar1", "irtSize", 64)));

        Path dump = copyDump("0000:00:04.0.bin");
        assertEquals(MACHINE + ".pci~x: owner: 'guest' is neither os nor hypervisor",
                refusal(base, factory("pci", "x", "dump", dump.toString(), "slot", "0a:00.0", "owner", "guest")));
        assertEquals(MACHINE + ".pci~x: slot: 'zz' is not a PCI address",
                refusal(base, factory("pci", "x", "dump", dump.toString(), "slot", "zz")));
        assertEquals(MACHINE + ".pci~x: device 00:04.0 is defined twice",
                refusal(base, factory("pci", "x", "dump", dump.toString())), "the default machine has 00:04.0");
        String missing = refusal(base, factory("pci", "y", "dump", dir.resolve("missing.bin").toString()));
        assertTrue(missing.startsWith(MACHINE + ".pci~y: dump: " + dir.resolve("missing.bin") + ": cannot read"), missing);
        Files.writeString(dir.resolve("broken.txt"), "00:07.0 x\n00: 00 000 00\n");
        assertEquals(MACHINE + ".pci~z: dump: " + dir.resolve("broken.txt") + ":2: malformed line",
                refusal(base, factory("pci", "z", "dump", dir.resolve("broken.txt").toString())),
                "a configured dump must be readable: refused, not left out");
    }

    @Test
    void namesAreOfTheSafeAlphabetAndX2apicIdsNeedRemapping() throws IOException {
        MachineLoader.Base base = defaultMachine();
        assertEquals(MACHINE + ".platform~p: name: '00:0a.0' is not a device name (a letter, then letters, digits, _ . -; "
                + "1-32 characters)", refusal(base, factory("platform", "p", "name", "00:0a.0")));
        assertEquals(MACHINE + ".dmar~d: name: 'dmar/1' is not a device name (a letter, then letters, digits, _ . -; "
                + "1-32 characters)", refusal(base, factory("dmar", "d", "name", "dmar/1")));
        assertEquals(MACHINE + ": apicIds[1]: 300 is an x2APIC id: above 255 needs interrupt remapping (a dmar unit with "
                + "irtSize)", refusal(base, machine("cpus", 2, "apicIds", "0, 300")));
        assertEquals(List.of(0, 300), build(base, machine("cpus", 2, "apicIds", "0, 300", "interruptRemapping", true))
                .apicIds(), "with remapping an x2APIC id is reachable");
        assertEquals(MACHINE + ": cpus: '4.9' is not an integer", refusal(base, machine("cpus", 4.9)));
        assertEquals(MACHINE + ".platform~q: queued: '1' is neither true nor false",
                refusal(base, factory("platform", "q", "name", "q", "queued", 1)));
        Files.writeString(dir.resolve("notes.txt"), "nothing of a dump\n");
        assertEquals(MACHINE + ".pci~n: dump: " + dir.resolve("notes.txt")
                + ": no dump in it (neither a binary config space nor the hex lines of lspci -x)",
                refusal(base, factory("pci", "n", "dump", dir.resolve("notes.txt").toString())));
        assertEquals(MACHINE + ".pci~z: dump: /dev/zero: not a regular file (a FIFO, a device or a directory is never read)",
                refusal(base, factory("pci", "z", "dump", "/dev/zero")));
    }

    @Test
    void frameworkAndToolKeysArePassedOver() {
        MachineSpec spec = build(defaultMachine(), machine("cpus", 2, "service.pid", MACHINE,
                "felix.fileinstall.filename", "file:/nowhere/org.msidomain.machine.cfg", ".private", 1));
        assertEquals(2, spec.apicIds().size());
    }

    @Test
    void interruptRemappingTurnsTheFirstUnitOnOrEveryUnitOff() {
        MachineSpec on = build(defaultMachine(), machine("interruptRemapping", true));
        assertEquals(256, on.dmar().get(0).irtSize());
        assertTrue(new SimMachine(on).remapping().isPresent());
        MachineSpec sized = build(defaultMachine(), machine("interruptRemapping", "true", "irtSize", "1024"));
        assertEquals(1024, new SimMachine(sized).remapping().get().tableSize());

        MachineSpec off = build(defaultMachine(), machine("interruptRemapping", false),
                factory("dmar", "d", "name", "dmar0", "irtSize", 64));
        assertTrue(new SimMachine(off).remapping().isEmpty(), "the machine PID decides over the DMAR configurations");
        MachineSpec unit = build(defaultMachine(), factory("dmar", "d", "name", "dmar0", "irtSize", 64));
        assertEquals(64, new SimMachine(unit).remapping().get().tableSize(), "a DMAR configuration alone remaps");

        MachineSpec added = build(defaultMachine(), machine("baseDevices", false, "interruptRemapping", true));
        assertEquals(List.of("dmar0"), added.dmar().stream().map(d -> d.name()).toList(), "a unit added to remap");
    }

    @Test
    void baseDevicesFalseDropsTheDumpsOfTheLauncherToo() throws IOException {
        Path dump = copyDump("0000:00:04.0.bin");
        MachineLoader.Base dumps = MachineLoader.base(Map.of(MachineLoader.DUMPS, dump.toString(), MachineLoader.CPUS, "2")::get);
        assertEquals(1, build(dumps).pci().size());
        assertEquals(List.of(0, 1), build(dumps).apicIds());
        assertEquals(0, build(dumps, machine("baseDevices", false)).pci().size());
        MachineSpec moved = build(dumps, machine("baseDevices", false), factory("pci", "a", "dump", dump.toString(),
                "slot", "0000:0a:00.0", "owner", "hypervisor"));
        assertEquals("0a:00.0", moved.pci().get(0).address().toString());
        assertEquals(1, moved.hypervisorOwned().size());
        assertEquals(MACHINE + ".pci~a: device 00:04.0 is defined twice",
                refusal(dumps, factory("pci", "a", "dump", dump.toString())), "a launcher's dump counts");
    }

    @Test
    void aRelativeDumpIsReadBesideTheCfgFile() throws IOException {
        copyDump("0000:00:04.0.bin");
        String cfg = dir.resolve("org.msidomain.machine.pci-nic.cfg").toUri().toString();
        MachineSpec spec = build(defaultMachine(), factory("pci", "nic", "dump", "0000:00:04.0.bin", "slot", "0b:00.0",
                "felix.fileinstall.filename", cfg));
        assertTrue(spec.pci().stream().anyMatch(p -> p.address().toString().equals("0b:00.0")));
    }

    @Test
    void aDeviceConfigurationIsADevicesEntryWithItsPropertyKeys() throws IOException {
        copyDump("0000:00:04.0.bin");
        String cfg = dir.resolve("org.msidomain.machine.device-ntb.cfg").toUri().toString();
        MachineLoader.Base base = file("{\"devices\": [{\"kind\": \"ntb\", \"name\": \"ntb0\"}]}");
        MachineSpec spec = build(base, factory("device", "a", "kind", "ntb", "name", "ntb0", "requesterId", "03:00.0",
                "property.doorbells", 4, "property.fast", true, "property.label", "left"),
                factory("device", "b", "kind", "pci", "name", "00:05.0", "property.dump", "0000:00:04.0.bin",
                        "felix.fileinstall.filename", cfg));
        assertEquals(List.of(new DeviceSpec("ntb", "ntb0", 0x0300, Map.of("doorbells", "4", "fast", "true", "label", "left"), dir),
                new DeviceSpec("pci", "00:05.0", 0x0028, Map.of("dump", dir.resolve("0000:00:04.0.bin").toString()), dir)),
                spec.devices(), "the description's ntb0 replaced; a relative dump read beside the .cfg file");
        assertEquals(1, new SimMachine(spec).devices().stream().filter(d -> d.id().equals("00:05.0")).count());

        assertEquals(MACHINE + ".device~c: colour: unknown key (known: kind, name, requesterId, property.KEY)",
                refusal(base, factory("device", "c", "kind", "ntb", "name", "n", "colour", "red")));
        assertEquals(MACHINE + ".device~c: kind: missing", refusal(base, factory("device", "c", "name", "n")));
        assertEquals(MACHINE + ".device~c: property.list: '[1, 2]' is not a string, number or boolean",
                refusal(base, factory("device", "c", "kind", "ntb", "name", "n", "property.list", List.of(1, 2))));
        assertEquals(MACHINE + ".device~c: requesterId: '3:0.0' is not a requester id bb:dd.f",
                refusal(base, factory("device", "c", "kind", "ntb", "name", "n", "requesterId", "3:0.0")));
        assertEquals(MACHINE + ".device~c: name: 'n b' is not a device name (a letter, then letters, digits, _ . -; "
                + "1-32 characters)", refusal(base, factory("device", "c", "kind", "ntb", "name", "n b")));
        assertEquals(0, build(base, machine("baseDevices", false)).devices().size(), "baseDevices=false drops them too");
    }

    @Test
    void theDescriptionComparesEqualUntilAConfigurationChangesIt() {
        MachineOverlay.Description a = MachineOverlay.of(defaultMachine(), List.of(machine("cpus", 8))).description();
        MachineOverlay.Description b = MachineOverlay.of(defaultMachine(), List.of(machine("cpus", "8",
                "felix.fileinstall.filename", "file:/x.cfg"))).description();
        assertEquals(a, b, "the same machine: no rebuild");
        assertNotEquals(a, MachineOverlay.of(defaultMachine(), List.of(machine("cpus", 6))).description());
        assertNotEquals(a, MachineOverlay.of(defaultMachine(), List.of()).description());
        assertFalse(MachineOverlay.of(defaultMachine(), List.of(machine("baseDevices", false))).description().preloaded());
    }

    private Path copyDump(String name) throws IOException {
        Path target = dir.resolve(name);
        if (!Files.exists(target)) {
            Files.copy(getClass().getResourceAsStream("/corpus/local/" + name), target);
        }
        return target;
    }
}
