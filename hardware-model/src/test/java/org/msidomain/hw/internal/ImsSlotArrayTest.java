package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.WaitingDevice;

/**
 * A PCI function with an IMS slot array beside its MSI-X (kind pci, properties ims.slots and ims.bar), built
 * from a real dump: the Mellanox ConnectX-3 Pro of pciutils' tests (03:00.0; lspci: Region 0 Memory at
 * c0100000 (32-bit), Region 2 Memory at be000000 (32-bit), MSI-X Count=256, Vector table BAR=0 offset=0007c000,
 * PBA BAR=0 offset=0007d000). Slot k at 16k = {address lo, address hi, data, control bit 0 = mask}, reset
 * masked; messages as the Intel SDM composes them (0xFEE00000 | APIC id << 12, data = vector).
 */
class ImsSlotArrayTest {

    private static final String MELLANOX = "/corpus/public/mellanox-mt27520-connectx3pro.txt";
    private static final String LSI = "/corpus/public/lsi-sas2008.txt";

    @TempDir
    Path dir;

    /** What reached the CPUs: "cpu:vector". */
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final org.msidomain.hw.VectorSink domain = (cpu, vector) -> delivered.add(cpu + ":" + vector);

    @BeforeEach
    void dumps() throws Exception {
        copy(MELLANOX, "cx3.txt");
        copy(LSI, "lsi.txt");
        // the same function with BAR2 at be001000: a BAR is aligned to its size, so it spans at most 4 KiB
        Files.writeString(dir.resolve("cx3-small-bar2.txt"), Files.readString(dir.resolve("cx3.txt"), StandardCharsets.ISO_8859_1)
                .replace("10: 00 00 10 c0 00 00 00 00 00 00 00 be", "10: 00 00 10 c0 00 00 00 00 00 10 00 be"),
                StandardCharsets.ISO_8859_1);
    }

    private void copy(String resource, String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, dir.resolve(name));
        }
    }

    private SimMachine machine(String entries) throws Exception {
        Path file = Files.writeString(dir.resolve("m.json"), "{\"cpus\": 4, \"devices\": [" + entries + "]}");
        SimMachine m = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get));
        m.connect(domain);
        return m;
    }

    private static String cx3(String dump, String ims) {
        return "{\"kind\": \"pci\", \"name\": \"03:00.0\", \"properties\": {\"dump\": \"" + dump + "\"" + ims + "}}";
    }

    @Test
    void theSlotArrayIsASecondStorageInItsBar() throws Exception {
        SimMachine m = machine(cx3("cx3.txt", ", \"ims.slots\": 8, \"ims.bar\": 2"));
        HwDevice f = m.device("03:00.0").orElseThrow();
        assertEquals(List.of("pci", "platform"), f.storageTypes(), "the default storage first");
        assertEquals("pci", f.storageType());
        assertEquals(Map.of("table", "slots", "slots", "8", "table.region", "2"), f.properties(),
                "what the platform provider reads");
        Mmio bar2 = f.region(2);
        assertNotSame(f.region(0), bar2, "BAR0 keeps the MSI-X table");
        assertTrue(bar2.size() >= 8 * 16, "BAR2 holds 8 slots of 16 bytes: " + bar2.size());
        for (int k = 0; k < 8; k++) {
            assertEquals(0, bar2.read32(16L * k), "slot " + k + " address lo at reset");
            assertEquals(0, bar2.read32(16L * k + 4), "slot " + k + " address hi at reset");
            assertEquals(0, bar2.read32(16L * k + 8), "slot " + k + " data at reset");
            assertEquals(1, bar2.read32(16L * k + 12), "slot " + k + " control: masked at reset");
        }
        assertEquals(0, bar2.read32(8 * 16), "beyond the slots: device memory the model does not implement");

        // slot 3: CPU1 (APIC id 1) vector 0x41, written at 0x30..0x3c, read back word by word
        bar2.write32(0x30, 0xFEE01000);
        bar2.write32(0x34, 0);
        bar2.write32(0x38, 0x41);
        assertEquals(0xFEE01000, bar2.read32(0x30));
        assertEquals(0x41, bar2.read32(0x38));
        assertEquals(1, bar2.read32(0x3C), "still masked");
        assertEquals(0, bar2.read32(0x20 + 8), "slot 2 untouched");

        f.raise("platform", 3);
        f.raise("platform", 3);
        assertEquals(List.of(), delivered, "masked: latched, not sent");
        PciFunctionView.pending(m, 3, true);
        bar2.write32(0x3C, 0); // unmask
        assertEquals(List.of("1:65"), delivered, "two raises while masked, one message on unmask");
        PciFunctionView.pending(m, 3, false);
        f.raise("platform", 3);
        assertEquals(List.of("1:65", "1:65"), delivered, "unmasked: sent at once");
        assertEquals(1, m.coalescedMessages(), "the second raise while masked merged with the pending one");
        assertEquals(1, f.merged("platform", 3), "counted for slot 3");
        assertEquals(0, f.merged("platform", 2));
        assertEquals(-1, f.merged("hpet", 3), "no such storage: not counted");
    }

    @Test
    void raisingByStorageType() throws Exception {
        SimMachine m = machine(cx3("cx3.txt", ", \"ims.slots\": 8, \"ims.bar\": 2"));
        HwDevice f = m.device("03:00.0").orElseThrow();
        IllegalStateException off = assertThrows(IllegalStateException.class, () -> f.raise("pci", 0));
        assertEquals("device 03:00.0 has no message-signalled interrupt enabled", off.getMessage(),
                "the default storage's type is raise(index): MSI-X is off after boot (pci_msix_init)");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> f.raise("hpet", 0));
        assertEquals("device 03:00.0 has no storage hpet (it has pci, platform)", unknown.getMessage());
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> f.raise("platform", 8));
        assertEquals("device 03:00.0 has no IMS slot 8 (0-7)", beyond.getMessage());
        assertEquals(List.of(), delivered);

        SimMachine plain = machine(cx3("cx3.txt", ""));
        HwDevice p = plain.device("03:00.0").orElseThrow();
        assertEquals(List.of("pci"), p.storageTypes());
        assertEquals(Map.of(), p.properties());
        assertEquals("device 03:00.0 has no storage platform (it has pci)",
                assertThrows(IllegalArgumentException.class, () -> p.raise("platform", 0)).getMessage());
    }

    @Test
    void aNewDomainFindsTheSlotsMaskedAgain() throws Exception {
        SimMachine m = machine(cx3("cx3.txt", ", \"ims.slots\": 4, \"ims.bar\": 2"));
        Mmio bar2 = m.device("03:00.0").orElseThrow().region(2);
        bar2.write32(0x10, 0xFEE02000);
        bar2.write32(0x18, 0x30);
        bar2.write32(0x1C, 0);
        m.device("03:00.0").orElseThrow().raise("platform", 1);
        assertEquals(List.of("2:48"), delivered);
        m.disconnect(domain);
        m.connect((cpu, vector) -> delivered.add("new " + cpu + ":" + vector));
        assertEquals(1, bar2.read32(0x1C), "boot quiesce: every slot masked (its reset value)");
        m.device("03:00.0").orElseThrow().raise("platform", 1);
        assertEquals(List.of("2:48"), delivered, "the old message does not reach the new domain's vectors");
    }

    @Test
    void aBarThatCannotHoldTheSlotsIsRefusedInOneLine() throws Exception {
        SimMachine m = machine(String.join(",",
                cx3("cx3.txt", ", \"ims.slots\": 8, \"ims.bar\": 0").replace("03:00.0", "03:00.1"),
                cx3("cx3.txt", ", \"ims.slots\": 8, \"ims.bar\": 1").replace("03:00.0", "03:00.2"),
                cx3("cx3-small-bar2.txt", ", \"ims.slots\": 512, \"ims.bar\": 2").replace("03:00.0", "03:00.3"),
                cx3("cx3-small-bar2.txt", ", \"ims.slots\": 256, \"ims.bar\": 2").replace("03:00.0", "03:00.4"),
                cx3("cx3.txt", ", \"ims.slots\": 8").replace("03:00.0", "03:00.5"),
                cx3("cx3.txt", ", \"ims.slots\": 4096, \"ims.bar\": 2").replace("03:00.0", "03:00.6"),
                "{\"kind\": \"pci\", \"name\": \"04:00.0\", \"properties\": {\"dump\": \"lsi.txt\", \"ims.slots\": 8, "
                        + "\"ims.bar\": 0}}",
                "{\"kind\": \"pci\", \"name\": \"04:00.1\", \"properties\": {\"dump\": \"lsi.txt\", \"ims.slots\": 8, "
                        + "\"ims.bar\": 2}}"));
        assertEquals(List.of(
                new WaitingDevice("03:00.1", "pci", "03:00.1: ims.bar: BAR 0 holds the MSI-X table"),
                new WaitingDevice("03:00.2", "pci", "03:00.2: ims.bar: BAR 1 is not implemented (its register reads 0)"),
                new WaitingDevice("03:00.3", "pci", "03:00.3: ims.bar: BAR 2 at 0xbe001000 spans at most 4096 bytes "
                        + "(a BAR is aligned to its size), fewer than the 8192 of 512 slots"),
                new WaitingDevice("03:00.5", "pci", "03:00.5: ims.bar: missing (an IMS slot array needs ims.slots and "
                        + "ims.bar)"),
                new WaitingDevice("03:00.6", "pci", "03:00.6: ims.slots: 1-2048, not 4096"),
                new WaitingDevice("04:00.0", "pci", "04:00.0: ims.bar: BAR 0 is an I/O BAR"),
                new WaitingDevice("04:00.1", "pci", "04:00.1: ims.bar: BAR 2 is the upper dword of 64-bit BAR 1")),
                m.waiting());
        HwDevice fits = m.device("03:00.4").orElseThrow();
        assertEquals(List.of("pci", "platform"), fits.storageTypes(), "256 slots fill the 4 KiB exactly");
        assertEquals(1, fits.region(2).read32(0xFFC), "slot 255's control, the BAR's last dword");
    }

    /** The model's pending bit of a slot, through the function's model. */
    private static final class PciFunctionView {
        static void pending(SimMachine m, int slot, boolean expected) {
            var f = m.pciFunction("03:00.0").orElseThrow();
            assertEquals(expected, f.imsSlots().orElseThrow().pending(slot), "slot " + slot + " pending");
        }
    }
}
