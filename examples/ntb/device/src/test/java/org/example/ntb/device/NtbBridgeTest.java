package org.example.ntb.device;

import static org.example.ntb.device.NtbRegisters.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

class NtbBridgeTest {

    /** Counts the messages the bridge sends: the last address/data, and how many. */
    static final class Port implements DevicePort {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong merged = new AtomicLong();
        final AtomicLongArray byData = new AtomicLongArray(256);
        volatile long lastAddress;
        volatile int lastData;

        @Override
        public void send(long address, int data) {
            lastAddress = address;
            lastData = data;
            byData.incrementAndGet(data & 0xFF);
            sent.incrementAndGet();
        }

        @Override
        public void merged() {
            merged.incrementAndGet();
        }

        @Override
        public int requesterId() {
            return 0x0300;
        }
    }

    private final Port port = new Port();

    private HwDevice bridge(Map<String, String> properties) {
        return new NtbKind().create(new DeviceSpec("ntb", "ntb0", 0x0300, properties, Path.of(".")), port);
    }

    /** What the provider does: data first, then the offset that makes the pair valid, the count, the doorbell. */
    private static void hand(Mmio regs, int index, int offset, int data, int count) {
        regs.write32(SPAD_BASE + 4 * dataSpad(index), data);
        regs.write32(SPAD_BASE + 4 * offsetSpad(index), offset);
        regs.write32(SPAD_BASE, count);
        regs.write32(PEER_DB_SET, 1);
    }

    @Test
    void registersFromTheProperties() {
        Mmio regs = bridge(Map.of("vectors", "8", "window.size", "0x8000")).region(0);
        assertEquals(0x4E544201, regs.read32(ID));
        assertEquals(17, regs.read32(SPAD_COUNT), "2 * 8 + 1 scratchpads by default");
        assertEquals(0x8000, regs.read32(MW_SIZE));
        assertEquals(8, regs.read32(PEER_VECTORS));
        assertEquals(NONE, regs.read32(SPAD_BASE), "scratchpads reset to all ones: nothing handed");
        assertEquals(0, regs.read32(MW_XLAT_LO));
        regs.write32(MW_XLAT_LO, 0xFEE01234);
        assertEquals(0xFEE00000, regs.read32(MW_XLAT_LO), "bits below the 32 KiB window size read 0");
        assertEquals(0, regs.read32(SPAD_BASE + 4 * 17), "beyond the last scratchpad: reserved, reads 0");
        assertThrows(IllegalArgumentException.class, () -> regs.read32(REGION_SIZE));
        assertThrows(IllegalArgumentException.class, () -> bridge(Map.of()).region(1));
    }

    @Test
    void propertiesAreChecked() {
        assertEquals("ntb0: unknown property 'doorbells' (an ntb bridge takes scratchpads, vectors, window.size)",
                assertThrows(IllegalArgumentException.class, () -> bridge(Map.of("doorbells", "4"))).getMessage());
        assertEquals("ntb0: window.size: 5000 is neither 0 nor a power of two from 4096 to 1048576",
                assertThrows(IllegalArgumentException.class, () -> bridge(Map.of("window.size", "5000"))).getMessage());
        assertEquals("ntb0: vectors: 'four' is not a number",
                assertThrows(IllegalArgumentException.class, () -> bridge(Map.of("vectors", "four"))).getMessage());
        assertEquals("ntb0: scratchpads: 300 is out of range 0-257",
                assertThrows(IllegalArgumentException.class, () -> bridge(Map.of("scratchpads", "300"))).getMessage());
        assertEquals(0, bridge(Map.of("scratchpads", "0", "window.size", "0")).region(0).read32(SPAD_COUNT));
    }

    @Test
    void thePeerWritesTheHandedDataThroughTheWindowAndTheBridgeTranslatesIt() {
        HwDevice ntb = bridge(Map.of("vectors", "4"));
        Mmio regs = ntb.region(0);
        regs.write32(MW_XLAT_LO, 0xFEE00000);
        hand(regs, 1, 0x3000, 0x41, 2);
        assertEquals(1, regs.read32(PEER_DB), "the doorbell rang");
        ntb.raise(1);
        assertEquals(1, port.sent.get());
        assertEquals(0xFEE03000L, port.lastAddress, "window offset 0x3000 arrives at translated base + 0x3000");
        assertEquals(0x41, port.lastData);
        assertEquals(0, regs.read32(PEER_DB), "the peer saw the doorbell when it read the scratchpads");
        assertEquals(0, regs.read32(MW_ERRORS));
    }

    @Test
    void aTriggerBeforeTheHandoffIsHeldMergedAndSentOnceAtTheDoorbell() {
        HwDevice ntb = bridge(Map.of("vectors", "4"));
        Mmio regs = ntb.region(0);
        regs.write32(MW_XLAT_LO, 0xFEE00000);
        ntb.raise(2);
        ntb.raise(2);
        assertEquals(0, port.sent.get(), "nothing handed: the peer holds it");
        assertEquals(1, port.merged.get(), "the second trigger merged into the held one");
        hand(regs, 2, 0x1000, 0x22, 2);
        assertEquals(0, port.sent.get(), "SPAD0 = 2 does not cover vector 2");
        hand(regs, 2, 0x1000, 0x22, 4);
        assertEquals(1, port.sent.get(), "sent once when the doorbell rang with vector 2 handed");
        assertEquals(0xFEE01000L, port.lastAddress);
        regs.write32(PEER_DB_SET, 1);
        assertEquals(1, port.sent.get(), "not again");
    }

    @Test
    void anOffsetScratchpadOfAllOnesIsNoMessageAndAWriteBeyondTheWindowIsDropped() {
        HwDevice ntb = bridge(Map.of("vectors", "2", "window.size", "4096"));
        Mmio regs = ntb.region(0);
        regs.write32(MW_XLAT_LO, 0xFEE00000);
        hand(regs, 0, 0x2000, 0x30, 2);
        ntb.raise(0);
        assertEquals(0, port.sent.get());
        assertEquals(1, regs.read32(MW_ERRORS), "offset 0x2000 is beyond the 4 KiB window");
        hand(regs, 0, NONE, 0, 2);
        ntb.raise(0);
        assertEquals(1, regs.read32(MW_ERRORS), "no message: held, not written");
        assertThrows(IllegalArgumentException.class, () -> ntb.raise(2));
    }

    @Test
    void aTriggerRacingTheHandoffIsSentExactlyOnce() throws Exception {
        for (int round = 0; round < 2000; round++) {
            Port p = new Port();
            HwDevice ntb = new NtbKind().create(new DeviceSpec("ntb", "ntb0", -1, Map.of(), Path.of(".")), p);
            Mmio regs = ntb.region(0);
            regs.write32(MW_XLAT_LO, 0xFEE00000);
            CountDownLatch go = new CountDownLatch(1);
            Thread peer = new Thread(() -> {
                awaitQuietly(go);
                ntb.raise(3);
            });
            peer.start();
            go.countDown();
            hand(regs, 3, 0x40, 0x33, 4);
            peer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(peer.isAlive());
            assertEquals(1, p.sent.get(), "round " + round + ": one trigger, one message");
        }
    }

    @Test
    void aTriggerAllocatesNothing() {
        HwDevice ntb = bridge(Map.of("vectors", "4"));
        Mmio regs = ntb.region(0);
        regs.write32(MW_XLAT_LO, 0xFEE00000);
        hand(regs, 0, 0x1000, 0x20, 4);
        for (int i = 0; i < 200_000; i++) {
            ntb.raise(0); // warm up: the measured loop runs compiled
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            ntb.raise(0);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(300_000, port.sent.get());
        assertTrue(allocated < 1024, "100,000 triggers allocated " + allocated + " bytes");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
