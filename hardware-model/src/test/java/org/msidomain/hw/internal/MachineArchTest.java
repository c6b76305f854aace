package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.irqchip.GicIts;
import org.msidomain.hw.irqchip.GicV2m;
import org.msidomain.hw.irqchip.Imsic;

/** {@code "arch"} in the machine description, its controllers' parameters, and the bundled machine of each arch. */
class MachineArchTest {

    @TempDir
    Path dir;

    private MachineSpec load(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("m.json"), json);
        return MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get);
    }

    private String refuse(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("m.json"), json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        String line = e.getMessage().substring(file.toString().length() + 2);
        assertEquals(1, e.getMessage().lines().count(), "one line");
        return line;
    }

    @Test
    void archIsX86WhenAbsentAndEachNamedArchBuildsItsController() throws IOException {
        SimMachine x86 = new SimMachine(load("{\"cpus\": 2}"));
        assertEquals("x86", x86.arch());
        assertTrue(x86.irqchip(GicIts.class).isEmpty());
        assertEquals("x86", new SimMachine(load("{\"arch\": \"x86\", \"hpet\": {}}")).arch());
        SimMachine its = new SimMachine(load("{\"arch\": \"arm64-gicv3-its\", \"its\": {\"base\": \"0x10000000\", \"lpis\": 1024}}"));
        assertEquals(0x1001_0040L, its.irqchip(GicIts.class).orElseThrow().translaterAddress());
        assertEquals(1024, its.irqchip(GicIts.class).orElseThrow().lpiCount());
        SimMachine v2m = new SimMachine(load("{\"arch\": \"arm64-gicv2m\", \"cpus\": 8, \"gicv2m\": {\"spiBase\": 64, \"spiCount\": 32}}"));
        assertEquals(64 << 16 | 32, v2m.irqchip(GicV2m.class).orElseThrow().typer());
        SimMachine imsic = new SimMachine(load("{\"arch\": \"riscv-aia-imsic\", \"imsic\": {\"identities\": 2047}}"));
        assertEquals(2047, imsic.irqchip(Imsic.class).orElseThrow().identities());
        assertEquals(0x2800_1000L, imsic.irqchip(Imsic.class).orElseThrow().fileAddress(1));
    }

    @Test
    void anUnknownArchAndX86DevicesElsewhereAreRefusedWithTheirPath() throws IOException {
        assertEquals("$.arch: 'sparc' is not an architecture (x86, arm64-gicv3-its, arm64-gicv2m, riscv-aia-imsic)",
                refuse("{\"arch\": \"sparc\"}"));
        assertEquals("$.arch: 3 is not a string", refuse("{\"arch\": 3}"));
        assertEquals("$.hpet: the HPET is an x86 device, not part of an arm64-gicv3-its machine",
                refuse("{\"arch\": \"arm64-gicv3-its\", \"hpet\": {\"timers\": 3}}"));
        assertEquals("$.dmar: a DMAR unit is an x86 device, not part of an riscv-aia-imsic machine",
                refuse("{\"arch\": \"riscv-aia-imsic\", \"dmar\": [{\"name\": \"dmar0\"}]}"));
        assertEquals("$.devices[0].kind: 'hpet' is an x86 device, not part of an arm64-gicv2m machine",
                refuse("{\"arch\": \"arm64-gicv2m\", \"devices\": [{\"kind\": \"hpet\", \"name\": \"h\"}]}"));
        assertEquals("$.apicIds: APIC ids are x86's; an arm64-gicv2m machine numbers its CPUs 0 to cpus-1",
                refuse("{\"arch\": \"arm64-gicv2m\", \"cpus\": 2, \"apicIds\": [0, 1]}"));
        assertEquals("$.cpus: 9 CPUs: a GICv2 distributor (GICD_ITARGETSR) addresses at most 8",
                refuse("{\"arch\": \"arm64-gicv2m\", \"cpus\": 9}"));
    }

    @Test
    void controllerParametersAreCheckedAndGoOnlyWithTheirArch() throws IOException {
        assertEquals("$.its: goes only with arch arm64-gicv3-its, not x86", refuse("{\"its\": {}}"));
        assertEquals("$.imsic: goes only with arch riscv-aia-imsic, not arm64-gicv2m",
                refuse("{\"arch\": \"arm64-gicv2m\", \"imsic\": {}}"));
        assertEquals("$.its.base: 0x08081000 is not a 64 KiB aligned address below 2^52",
                refuse("{\"arch\": \"arm64-gicv3-its\", \"its\": {\"base\": \"0x08081000\"}}"));
        assertEquals("$.its.base: '134742016' is not a hex address 0x...",
                refuse("{\"arch\": \"arm64-gicv3-its\", \"its\": {\"base\": \"134742016\"}}"));
        assertEquals("$.its.lpis: 1-57344 LPIs (INTIDs 8192-65535), not 0",
                refuse("{\"arch\": \"arm64-gicv3-its\", \"its\": {\"lpis\": 0}}"));
        assertEquals("$.gicv2m.spiBase: an SPI INTID is 32-1019, not 16",
                refuse("{\"arch\": \"arm64-gicv2m\", \"gicv2m\": {\"spiBase\": 16}}"));
        assertEquals("$.gicv2m.spiCount: 64 SPIs from INTID 1000 go beyond INTID 1019",
                refuse("{\"arch\": \"arm64-gicv2m\", \"gicv2m\": {\"spiBase\": 1000}}"));
        assertEquals("$.imsic.stride: a multiple of 4096 (the size of an interrupt file), not 1000",
                refuse("{\"arch\": \"riscv-aia-imsic\", \"imsic\": {\"stride\": 1000}}"));
        assertEquals("$.imsic.identities: 63, 127, ... 2047 (a multiple of 64 minus 1), not 100",
                refuse("{\"arch\": \"riscv-aia-imsic\", \"imsic\": {\"identities\": 100}}"));
        assertTrue(refuse("{\"arch\": \"riscv-aia-imsic\", \"imsic\": {\"colour\": 1}}").startsWith("$.imsic.colour: "));
    }

    @Test
    void eachBundledMachineLoadsWithPciAndPlatformDevicesAndNoX86Devices() {
        for (String arch : List.of("arm64-gicv3-its", "arm64-gicv2m", "riscv-aia-imsic")) {
            MachineSpec spec = MachineLoader.build(MachineLoader.bundled(arch));
            assertEquals(List.of(), spec.problems(), arch);
            SimMachine machine = new SimMachine(spec);
            assertEquals(arch, machine.arch());
            assertEquals(9, spec.pci().size(), arch);
            assertTrue(machine.device("ims0").isPresent() && machine.device("queue0").isPresent(), arch);
            assertTrue(machine.device("hpet").isEmpty() && machine.device("dmar0").isEmpty(), arch);
        }
        assertEquals("x86", new SimMachine(MachineLoader.build(MachineLoader.bundled("default"))).arch());
        assertThrows(IllegalArgumentException.class, () -> MachineLoader.bundled("sparc"));
    }

    @Test
    void theArchPropertyBootsTheBundledMachineOfThatArchitecture() {
        SimMachine its = new SimMachine(MachineLoader.load(Map.of(MachineLoader.ARCH, "arm64-gicv3-its")::get));
        assertEquals("arm64-gicv3-its", its.arch());
        assertTrue(its.device("00:00.0").isPresent(), "the N1SDP root port");
        assertEquals("x86", new SimMachine(MachineLoader.load(Map.of(MachineLoader.ARCH, "x86")::get)).arch());
        assertTrue(new SimMachine(MachineLoader.load(Map.of(MachineLoader.ARCH, "x86")::get)).device("hpet").isPresent());
    }

    /**
     * The N1SDP root port (a real ARM dump, Arm vendor 13b5) on the ITS machine, programmed as Linux's PCI MSI code
     * with the ITS's compose_msi_msg would: address GITS_TRANSLATER, data the EventID; lspci shows the translater and
     * the root port's MSI reaches the ITS with its requester id 00:00.0 as DeviceID 0.
     */
    @Test
    void theN1sdpRootPortProgrammedOnTheItsMachineSignalsAnLpi() {
        SimMachine machine = new SimMachine(MachineLoader.build(MachineLoader.bundled("arm64-gicv3-its")));
        ArchMachines.Recorder cpus = new ArchMachines.Recorder();
        machine.connect(cpus);
        HwDevice port = machine.device("00:00.0").orElseThrow();
        ConfigSpace config = port.config().orElseThrow();
        assertEquals(0x13b5, config.read16(0), "Arm Ltd");
        GicIts its = machine.irqchip(GicIts.class).orElseThrow();
        LinuxItsDriver linux = new LinuxItsDriver(its);
        linux.mapd(0x0000, 2, 0x4000_0000L, true); // nr_ites = max(2, nvecs)
        linux.mapc(2, 2);
        its.writeLpiConfig(8192, 0xa3);
        linux.mapti(0x0000, 0, 8192, 2);
        linux.inv(0x0000, 0);
        linux.sync(2);
        int msi = 0x90; // MSI capability: 64-bit, per-vector masking
        config.write32(msi + 4, (int) its.translaterAddress());
        config.write32(msi + 8, 0);
        config.write16(msi + 0xC, 0);
        config.write32(msi + 0x10, 0);
        config.write16(msi + 2, config.read16(msi + 2) | 1);
        String lspci = machine.lspci(2, "00:00.0");
        assertTrue(lspci.contains("Address: 0000000008090040  Data: 0000"), lspci);
        port.raise(0);
        assertEquals(List.of("2:8192"), cpus.delivered(), () -> "errors " + its.lastTranslationErrors() + ", lost "
                + machine.lostMessages() + ", " + its.commandError() + ", " + lspci);
    }
}
