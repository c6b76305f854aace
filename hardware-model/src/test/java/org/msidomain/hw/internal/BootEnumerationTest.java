package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.internal.hpet.HpetBlock;

/**
 * The machine boots as Linux finds it: pci_msi_init and pci_msix_init clear MSI Enable and MSI-X Enable,
 * so a function dumped with either enabled fires nothing before a driver allocates; {@code asDumped} keeps
 * the dumps' state. A domain that connects after another finds every device quiesced again.
 */
class BootEnumerationTest {

    /** The default machine's ICH10 AHCI: dumped with MSI enabled, message fee01000 / 4023 (CPU 1, vector 0x23). */
    private static final String AHCI = "00:1f.2";

    @TempDir
    Path dir;

    /** What reached the domain's side of the local APICs, as "cpu/vector". */
    private static final class Recorder implements VectorSink {
        final List<String> got = new CopyOnWriteArrayList<>();

        @Override
        public void accept(int cpu, int vector) {
            got.add(cpu + "/0x" + Integer.toHexString(vector));
        }
    }

    private static SimMachine defaultMachine(boolean asDumped) {
        Map<String, String> props = asDumped ? Map.of(MachineLoader.AS_DUMPED, "true") : Map.of();
        return new SimMachine(MachineLoader.load(props::get));
    }

    @Test
    void aFunctionDumpedWithMsiEnabledBootsDisabledAndItsRaiseReachesNoHandler() {
        SimMachine machine = defaultMachine(false);
        Recorder domain = new Recorder();
        machine.connect(domain);
        // pciutils prints Enable- for a control word without bit 0; the message stays as dumped (Linux leaves it)
        assertTrue(machine.lspci(2, AHCI).contains(
                "\tCapabilities: [80] MSI: Enable- Count=1/16 Maskable- 64bit-\n\t\tAddress: fee01000  Data: 4023\n"),
                machine.lspci(2, AHCI));
        HwDevice ahci = machine.device(AHCI).orElseThrow();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ahci.raise(0));
        assertEquals("device 00:1f.2 has no message-signalled interrupt enabled", e.getMessage());
        assertEquals(List.of(), domain.got);
        assertEquals(0, machine.lostMessages());
    }

    @Test
    void msixEnableIsClearedAndFunctionMaskLeftAlone() {
        // the LSI SAS2008 (04:00.0) and the virtio functions are dumped with MSI-X Enable+ and Function Mask clear
        SimMachine machine = defaultMachine(false);
        for (String id : List.of("04:00.0", "00:04.0")) {
            String vv = machine.lspci(2, id);
            assertTrue(vv.lines().anyMatch(l -> l.matches("\\tCapabilities: \\[[0-9a-f]+\\] MSI-X: Enable- Count=\\d+ Masked-")), vv);
            assertFalse(vv.contains("Enable+"), vv);
        }
    }

    @Test
    void asDumpedKeepsTheDumpsStateAndTheOldMessageFires() {
        SimMachine machine = defaultMachine(true);
        Recorder domain = new Recorder();
        machine.connect(domain);
        assertTrue(machine.lspci(2, AHCI).contains("\tCapabilities: [80] MSI: Enable+ Count=1/16 Maskable- 64bit-\n"));
        machine.device(AHCI).orElseThrow().raise(0);
        assertEquals(List.of("1/0x23"), domain.got, "the dump's message: APIC id 1, vector 0x23");
    }

    /**
     * A function without Bus Master Enable writes no memory, so no message (QEMU: pci_msi_trigger stores through
     * the bus-master address space, disabled while PCI_COMMAND_MASTER is clear). The boot does not set it (only a
     * driver does, pci_set_master), so a dump with BusMaster- and MSI enabled, booted as dumped, loses its raise.
     */
    @Test
    void asDumpedWithoutBusMasterTheOldMessageIsLostNotDelivered() throws IOException {
        String ahci = new String(getClass().getResourceAsStream("/machines/default/intel-ich10-sata-ahci.txt").readAllBytes(),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        String noMaster = ahci.replace("\n00: 86 80 22 3a 07 04 ", "\n00: 86 80 22 3a 03 04 "); // Command 0x0403
        assertTrue(!noMaster.equals(ahci), "the dump's first line changed");
        Path dump = Files.writeString(dir.resolve("ahci.txt"), noMaster, java.nio.charset.StandardCharsets.ISO_8859_1);
        SimMachine machine = new SimMachine(MachineLoader.load(
                Map.of(MachineLoader.DUMPS, dump.toString(), MachineLoader.AS_DUMPED, "true")::get));
        Recorder domain = new Recorder();
        machine.connect(domain);
        String vv = machine.lspci(2, AHCI);
        assertTrue(vv.contains("\tControl: I/O+ Mem+ BusMaster- SpecCycle-") && vv.contains("MSI: Enable+"), vv);
        machine.device(AHCI).orElseThrow().raise(0);
        assertEquals(List.of(), domain.got, "no message leaves a function that is not a bus master");
        assertEquals(1, machine.lostMessages());
        machine.device(AHCI).orElseThrow().config().orElseThrow().write16(0x04, 0x0407); // pci_set_master
        machine.device(AHCI).orElseThrow().raise(0);
        assertEquals(List.of("1/0x23"), domain.got, "the dump's message once Bus Master Enable is set");
        assertEquals(1, machine.lostMessages());
    }

    @Test
    void theDescriptionsAsDumpedKeyDoesTheSameAndIsChecked() throws IOException {
        Files.copy(getClass().getResourceAsStream("/machines/default/intel-ich10-sata-ahci.txt"), dir.resolve("ahci.txt"));
        Path json = Files.writeString(dir.resolve("m.json"), "{\"asDumped\": true, \"pci\": [{\"dump\": \"ahci.txt\"}]}");
        SimMachine machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get));
        assertTrue(machine.lspci(2, AHCI).contains("MSI: Enable+"), machine.lspci(2, AHCI));
        Files.writeString(json, "{\"asDumped\": false, \"pci\": [{\"dump\": \"ahci.txt\"}]}");
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get));
        assertTrue(machine.lspci(2, AHCI).contains("MSI: Enable-"), machine.lspci(2, AHCI));
        machine = new SimMachine(MachineLoader.load(
                Map.of(MachineLoader.FILE, json.toString(), MachineLoader.AS_DUMPED, "true")::get));
        assertTrue(machine.lspci(2, AHCI).contains("MSI: Enable+"), "the launcher's switch decides: " + machine.lspci(2, AHCI));
        Files.writeString(json, "{\"asDumped\": \"yes\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get));
        assertTrue(e.getMessage().startsWith(json + ": $.asDumped: "), e.getMessage());
    }

    @Test
    void aNewDomainFindsEveryDeviceQuiesced() {
        SimMachine machine = defaultMachine(true);
        Recorder first = new Recorder();
        machine.connect(first);
        // the first domain's programming: the AHCI's dumped MSI, an HPET timer, a platform slot, a queued slot,
        // the DMAR fault event, each aimed at CPU 2 vector 0x30-0x33
        Mmio hpet = machine.device("hpet").orElseThrow().region(0);
        hpet.write32(0x010, 1);
        hpet.write32(0x100 + 0x20 * 2 + 0x10, 0x30); // timer 2's FSB route: data
        hpet.write32(0x100 + 0x20 * 2 + 0x14, 0xFEE02000); // and address
        hpet.write32(0x100 + 0x20 * 2, (1 << 2) | (1 << 14)); // INT_ENB, FSB_EN
        Mmio ims = machine.device("ims0").orElseThrow().region(0);
        ims.write32(0, 0xFEE02000);
        ims.write32(8, 0x31);
        ims.write32(12, 0); // unmasked
        Mmio queue = machine.device("queue0").orElseThrow().region(0);
        int[] command = { 0, 0xFEE02000, 0, 0x32, 0 };
        for (int i = 0; i < command.length; i++) {
            queue.write32(4L * i, command[i]);
        }
        queue.write32(0x14, 1);
        Mmio dmar = machine.device("dmar0").orElseThrow().region(0);
        dmar.write32(0x3C, 0x33);
        dmar.write32(0x40, 0xFEE02000);
        dmar.write32(0x38, 0); // IM clear
        List<String> devices = List.of(AHCI, "hpet", "ims0", "queue0", "dmar0");
        List<Integer> index = List.of(0, 2, 0, 0, 0);
        for (int i = 0; i < devices.size(); i++) {
            machine.device(devices.get(i)).orElseThrow().raise(index.get(i));
        }
        assertEquals(List.of("1/0x23", "2/0x30", "2/0x31", "2/0x32", "2/0x33"), first.got);

        machine.disconnect(first);
        Recorder second = new Recorder();
        machine.connect(second);
        assertThrows(IllegalStateException.class, () -> machine.device(AHCI).orElseThrow().raise(0));
        HpetBlock block = machine.model("hpet", HpetBlock.class).orElseThrow();
        long lost = block.lostWhileDisabled();
        for (int i = 1; i < devices.size(); i++) {
            machine.device(devices.get(i)).orElseThrow().raise(index.get(i));
        }
        assertEquals(List.of(), second.got, "no old message reaches the new domain");
        assertEquals(lost + 1, block.lostWhileDisabled(), "hpet_enable turned the timer off");
        assertEquals(0, hpet.read32(0x010) & 1, "and stopped the counter");
        assertEquals(1, ims.read32(12) & 1, "the slot masked");
        assertEquals(1, queue.read32(0x100 + 12) & 1, "the queued slot masked by a command");
        assertEquals(1 << 31, dmar.read32(0x38) & (1 << 31), "the fault event masked");
        assertTrue(machine.lspci(2, AHCI).contains("MSI: Enable-"));
    }

    @Test
    void reconnectingTheSameDomainChangesNothingAndTheFirstDomainFindsTheBootState() {
        SimMachine machine = defaultMachine(true);
        Recorder domain = new Recorder();
        machine.connect(domain);
        machine.connect(domain);
        machine.device(AHCI).orElseThrow().raise(0);
        assertEquals(List.of("1/0x23"), domain.got);
    }

    @Test
    void aNewDomainFindsTheRemappingTableEmpty() throws IOException {
        Path json = Files.writeString(dir.resolve("m.json"), "{\"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16}]}");
        SimMachine machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get));
        Recorder first = new Recorder();
        machine.connect(first);
        // IRTE 0: present, vector 0x40, destination APIC 1, any requester (SVT 0)
        machine.remapping().orElseThrow().writeEntry(0, 1L | 0x40L << 16 | 1L << 32, 0);
        long remappable = 0xFEE00010L; // interrupt format 1 (bit 4), handle 0
        assertEquals("remapped and delivered", machine.injectMessage(remappable, 0, null));
        assertEquals(List.of("1/0x40"), first.got);
        machine.disconnect(first);
        Recorder second = new Recorder();
        machine.connect(second);
        String after = machine.injectMessage(remappable, 0, null);
        assertTrue(after.startsWith("dropped: remapping fault 0x22"), "the entry is not present: " + after);
        assertEquals(List.of(), second.got);
    }
}
