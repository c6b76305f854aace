package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * Real config spaces whose MSI-X capability names a BAR the function cannot have (a reserved BIR, an I/O
 * BAR, the upper dword of a 64-bit BAR, a table beyond what a 32-bit BAR spans): lspci shows them as
 * pciutils does, an MSI-X allocation is refused with the reason (Linux's msix_map_region fails too), and
 * the rest of the machine works.
 */
class MsixTablePlacementTest {

    private static final int CAP = 0x98; // virtio-net's MSI-X capability: table BAR0+0x8000, PBA BAR0+0x48000

    @Test
    void aTableInABarTheFunctionCannotHaveIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        byte[] virtio = Files.readAllBytes(Path.of(getClass().getResource("/dumps/0000:00:04.0.bin").toURI()));
        List<String> dumps = new ArrayList<>();
        dumps.add(write(dir, "0000:00:04.0.bin", virtio));
        dumps.add(write(dir, "0000:00:07.0.bin", withTable(virtio, 0x8000 | 7, -1, 0)));
        dumps.add(write(dir, "0000:00:08.0.bin", withTable(virtio, 0x8000 | 3, 3, 0xC001)));
        dumps.add(write(dir, "0000:00:09.0.bin", withTable(virtio, 0x8000 | 1, -1, 0)));
        dumps.add(write(dir, "0000:00:0a.0.bin", withTable(virtio, 0xFFFF_F000 | 2, 2, 0xFE00_0000)));
        SimMachine machine = new SimMachine(MachineLoader.load(
                Map.of(MachineLoader.DUMPS, String.join(MachineLoader.DUMP_SEPARATOR, dumps))::get));
        MsiDomainImpl domain = X86Domains.domain(machine);
        try {
            domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci"));
            assertTrue(domain.awaitSettled(5000));
            assertRefused(domain, "00:07.0", "its MSI-X table and PBA is in BAR 7, but BIR 7 is reserved");
            assertRefused(domain, "00:08.0", "its MSI-X table is in BAR 3, but BAR 3 is an I/O BAR");
            assertRefused(domain, "00:09.0", "its MSI-X table is in BAR 1, but BAR 1 is the upper dword of 64-bit BAR 0");
            assertRefused(domain, "00:0a.0", "its MSI-X table is in BAR 2, but it ends at 0xfffff040, beyond the 2 GiB "
                    + "a 32-bit BAR can span");
            String lspci = machine.lspci(2, "00:07.0");
            assertTrue(lspci.contains("\t\tVector table: BAR=7 offset=00008000\n"), lspci);

            int irq = domain.allocate("00:04.0", 1)[0];
            AtomicLong handled = new AtomicLong();
            domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
            machine.device("00:04.0").orElseThrow().raise(0);
            assertEquals(1, handled.get(), "the well-formed device works beside them");
        } finally {
            domain.deactivate();
        }
    }

    private static void assertRefused(MsiDomainImpl domain, String device, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> domain.allocate(device, 1, "msix"));
        assertEquals("device " + device + ": " + reason, e.getMessage());
        assertEquals(0, domain.devices().stream().filter(d -> d.id().equals(device)).findFirst().orElseThrow().vectors(),
                "nothing allocated");
    }

    /** The dump with the table register (offset | BIR) replaced, the PBA moved along if same BAR, and a BAR register set. */
    private static byte[] withTable(byte[] dump, int tableRegister, int bar, int barRegister) {
        ByteBuffer b = ByteBuffer.wrap(dump.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(CAP + 4, tableRegister);
        if ((tableRegister & 7) == 7) {
            b.putInt(CAP + 8, 0x48000 | 7);
        }
        if (bar >= 0) {
            b.putInt(0x10 + 4 * bar, barRegister);
        }
        return b.array();
    }

    private static String write(Path dir, String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes).toString();
    }
}
