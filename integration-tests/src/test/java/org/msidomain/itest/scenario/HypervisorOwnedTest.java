package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/** Scenario 22: a hypervisor owns the MSI-X table (pseries); the OS caches and hands messages over. */
class HypervisorOwnedTest {

    private SimMachine machine;
    private MsiDomainImpl domain;
    private PciFunction nic;
    private final AtomicLong handled = new AtomicLong();

    @BeforeEach
    void boot() throws Exception {
        String json = new File(getClass().getResource("/machines/pseries.json").toURI()).getAbsolutePath();
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, json)::get));
        domain = X86Domains.domain(machine);
        domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci"));
        assertTrue(domain.awaitSettled(5000));
        nic = machine.pciFunction("00:04.0").orElseThrow();
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    @Test
    void theOsNeverWritesTheTableAndDeactivationDoesNotZeroIt() {
        int[] irqs = domain.allocate("00:04.0", 2);
        for (int irq : irqs) {
            domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet());
        }
        domain.setAffinity(irqs[1], 3);
        IrqInfo moved = domain.irq(irqs[1]).orElseThrow();
        assertEquals(3, moved.cpu());
        assertEquals(Sdm.addressLo(machine.apicId(3)), nic.region(0).read32(0x8000 + 16), "the hypervisor programmed it");
        assertEquals(Sdm.data(moved.vector()), nic.region(0).read32(0x8000 + 16 + 8));
        nic.raise(1);
        assertEquals(Long.valueOf(1), domain.irq(irqs[1]).orElseThrow().counts().get(3));

        domain.mask(irqs[0]); // masked at the destination: the OS may not touch the mask bits
        assertEquals(0, nic.region(0).read32(0x8000 + 12) & 1, "entry mask bit untouched");
        nic.raise(0);
        assertEquals(1, handled.get());
        domain.unmask(irqs[0]);
        assertEquals(2, handled.get(), "the held message resent once");

        int programmed = nic.region(0).read32(0x8000);
        domain.free("00:04.0");
        assertEquals(programmed, nic.region(0).read32(0x8000), "deactivation must not zero the entry");
        assertEquals(0, nic.osTableWrites(), "the OS never wrote the table");

        int again = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(again, "h", (i, cpu) -> handled.incrementAndGet());
        nic.raise(0);
        assertEquals(3, handled.get(), "a later activation still works");
        assertEquals(0, nic.osTableWrites());
        assertNotEquals(0, nic.region(0).read32(0x8000));
    }
}
