package org.msidomain.hw.internal.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;

/**
 * The hypervisor that owns a function's MSI-X table (pseries RTAS {@code ibm,change-msi}, QEMU's
 * {@code spapr_msi_setmsg} writing the table itself): it chooses the message for the destination the OS names and
 * leaves the entry's mask bit to the OS; the OS's writes reach the Vector Control words only. Layout from PCIe r6
 * §7.7.2 (entry k at table + 16k: address lo, address hi, data, vector control with the Mask Bit in bit 0; entries
 * reset masked); delivery from the Intel SDM vol. 3 11.11.1-2 (address 0xFEE | destination id in 19:12 |
 * redirection hint bit 3 | destination mode bit 2; data vector in 7:0, delivery mode in 10:8, 001 lowest
 * priority, which to one physical destination arrives there). The virtio-net function: MSI-X capability at 0x98,
 * table BAR0+0x8000.
 */
class SimHypervisorTest {

    private static final long TABLE = 0x8000;
    private static final int CAP = 0x98;

    @TempDir
    Path dir;

    private SimMachine machine;
    private PciFunction nic;
    private SimHypervisor hypervisor;
    private Mmio bar;
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void boot() throws IOException {
        Path dump = dir.resolve("0000:00:04.0.bin");
        Files.copy(Path.of("src/test/resources/corpus/local/0000:00:04.0.bin"), dump);
        Path json = dir.resolve("pseries.json");
        Files.writeString(json, "{\"cpus\": 2, \"pci\": [{\"dump\": \"" + dump + "\", \"owner\": \"hypervisor\"}]}");
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json.toString())::get));
        machine.connect((cpu, vector) -> delivered.add("CPU" + cpu + " 0x" + Integer.toHexString(vector)));
        nic = machine.pciFunction("00:04.0").orElseThrow();
        hypervisor = (SimHypervisor) nic.hypervisor().orElseThrow();
        bar = nic.region(0);
    }

    private int word(int k, int offset) {
        return bar.read32(TABLE + 16L * k + offset);
    }

    @Test
    void itChoosesItsOwnMessageForTheDestinationAndLeavesTheMaskBitToTheOs() {
        int apic = machine.apicId(1);
        hypervisor.programMsi(nic, 2, new MsiMsg(0xFEE0_0000 | apic << 12, 0, 0x31));
        assertEquals(0xFEE0_0000 | apic << 12 | 0x8, word(2, 0), "physical destination, redirection hint set");
        assertEquals(0, word(2, 4));
        assertEquals(0x100 | 0x31, word(2, 8), "lowest priority, vector 0x31");
        assertEquals(1, word(2, 12) & 1, "still masked as at reset: the mask bit is the OS's");
        assertEquals(0x8000, nic.pciConfig().read16(CAP + 2) & 0xC000, "MSI-X Enable set, Function Mask clear");

        nic.raise(2);
        assertEquals(List.of(), delivered, "masked: latched, not sent");
        bar.write32(TABLE + 16L * 2 + 12, 0); // the OS unmasks (pci_msix_unmask)
        assertEquals(List.of("CPU1 0x31"), delivered, "the latched raise arrives at CPU 1, vector 0x31");
        assertEquals(0, nic.osTableWrites(), "a Vector Control write is the OS's own, not counted");

        hypervisor.programMsi(nic, 2, new MsiMsg(0xFEE0_0000 | machine.apicId(0) << 12, 0, 0x40));
        assertEquals(0, word(2, 12) & 1, "a live entry stays live after the hypervisor's update");
        nic.raise(2);
        assertEquals(List.of("CPU1 0x31", "CPU0 0x40"), delivered);
    }

    @Test
    void theOsWritesToTheMessageWordsAreIgnoredAndCounted() {
        hypervisor.programMsi(nic, 0, new MsiMsg(0xFEE0_0000 | machine.apicId(0) << 12, 0, 0x22));
        int lo = word(0, 0);
        bar.write32(TABLE, 0);
        bar.write32(TABLE + 4, 0);
        bar.write32(TABLE + 8, 0);
        assertEquals(lo, word(0, 0));
        assertEquals(0x122, word(0, 8));
        assertEquals(3, nic.osTableWrites());
        bar.write32(TABLE + 12, 0);
        assertEquals(0, word(0, 12) & 1, "the mask bit is the OS's");
        assertEquals(3, nic.osTableWrites());
    }

    @Test
    void aDestinationOutsideTheInterruptWindowIsRefusedNamingTheEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hypervisor.programMsi(nic, 1, new MsiMsg(0x1000, 0, 0x22)));
        assertEquals("00:04.0 MSI-X entry 1: 0x00000000_00001000 is no destination the hypervisor can route to",
                e.getMessage());
        assertEquals(1, word(1, 12) & 1);
        assertEquals(0, word(1, 0), "nothing written");
    }
}
