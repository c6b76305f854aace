package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.irqchip.GicIts;
import org.msidomain.hw.irqchip.GicV2m;
import org.msidomain.hw.irqchip.Imsic;

/** A device's message write allocates nothing on any architecture: delivered, held pending, or dropped. */
class ArchHotPathTest {

    private final AtomicLong delivered = new AtomicLong();
    private final VectorSink counting = (cpu, id) -> delivered.incrementAndGet();

    /** Bytes the current thread allocated for 100,000 writes, after 200,000 to compile the path. */
    private static long allocatedBy(Runnable write) {
        for (int i = 0; i < 200_000; i++) {
            write.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            write.run();
        }
        return threads.getThreadAllocatedBytes(tid) - before;
    }

    @Test
    void itsTranslationDeliveryPendingAndErrorsAllocateNothing() {
        SimMachine m = ArchMachines.machine("{\"arch\": \"arm64-gicv3-its\", \"cpus\": 2}");
        m.connect(counting);
        GicIts its = m.irqchip(GicIts.class).orElseThrow();
        LinuxItsDriver linux = new LinuxItsDriver(its);
        linux.mapd(0x10, 2, 0, true);
        linux.mapc(0, 1);
        its.writeLpiConfig(8192, 0xa3);
        linux.mapti(0x10, 0, 8192, 0);
        linux.mapti(0x10, 1, 8193, 0); // disabled: held pending, then merged
        linux.invall(0);
        InterruptFabric f = m.fabric();
        int lo = (int) its.translaterAddress();
        long delivering = allocatedBy(() -> f.write(lo, 0, 0, 0x10));
        long pending = allocatedBy(() -> f.write(lo, 0, 1, 0x10));
        long errors = allocatedBy(() -> f.write(lo, 0, 0, 0x18));
        assertEquals(300_000, delivered.get());
        assertTrue(delivering < 1024 && pending < 1024 && errors < 1024,
                "100,000 writes allocated " + delivering + " (delivered), " + pending + " (pending), " + errors + " (errors) bytes");
    }

    @Test
    void v2mAndImsicWritesAllocateNothing() {
        SimMachine v = ArchMachines.machine("{\"arch\": \"arm64-gicv2m\", \"cpus\": 2}");
        v.connect(counting);
        GicV2m v2m = v.irqchip(GicV2m.class).orElseThrow();
        v2m.enable(80);
        int setSpi = (int) v2m.setSpiAddress();
        long spi = allocatedBy(() -> v.fabric().write(setSpi, 0, 80, -1));
        SimMachine r = ArchMachines.machine("{\"arch\": \"riscv-aia-imsic\", \"cpus\": 2}");
        r.connect(counting);
        Imsic imsic = r.irqchip(Imsic.class).orElseThrow();
        imsic.setEnabled(1, 7, true);
        int file = (int) imsic.fileAddress(1);
        long identity = allocatedBy(() -> r.fabric().write(file, 0, 7, -1));
        assertEquals(600_000, delivered.get());
        assertTrue(spi < 1024 && identity < 1024, "100,000 writes allocated " + spi + " (v2m), " + identity + " (IMSIC) bytes");
    }
}
