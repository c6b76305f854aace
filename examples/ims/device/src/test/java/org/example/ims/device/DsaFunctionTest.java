package org.example.ims.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/** The DSA model against the dump (pciutils' lspci -vv of it) and the MSI-X and IMS semantics. */
class DsaFunctionTest {

    /** Records every message write and merged event. */
    static final class Port implements DevicePort {
        final List<long[]> sent = new CopyOnWriteArrayList<>();
        final AtomicLong merged = new AtomicLong();

        @Override
        public void send(long address, int data) {
            sent.add(new long[] {address, data});
        }

        @Override
        public void merged() {
            merged.incrementAndGet();
        }

        @Override
        public int requesterId() {
            return 0x6a08;
        }
    }

    private final Port port = new Port();

    private HwDevice dsa(Map<String, String> properties) {
        return new IdxdKind().create(new DeviceSpec("idxd", "dsa0", 0x6a08, properties, Path.of(".")), port);
    }

    @Test
    void configSpaceIsTheDumpAsLinuxEnumerationLeavesIt() {
        ConfigSpace cfg = dsa(Map.of()).config().orElseThrow();
        assertEquals(4096, cfg.size());
        assertEquals(0x8086, cfg.read16(0x00));
        assertEquals(0x0b25, cfg.read16(0x02));
        assertEquals(0x088000, cfg.read32(0x08) >>> 8, "class 0880 (System peripheral)");
        assertEquals(0x80, cfg.read8(0x40 + 1), "Express capability links to MSI-X at 0x80");
        assertEquals(0x11, cfg.read8(0x80), "MSI-X capability id");
        assertEquals(8, cfg.read16(0x82) & 0x7FF, "Count=9");
        assertEquals(0, cfg.read16(0x82) & 0xC000, "Enable- Masked- after pci_msix_init (the dump has Enable+)");
        assertEquals(0x2000, cfg.read32(0x84), "Vector table: BAR=0 offset=00002000");
        assertEquals(0x3000, cfg.read32(0x88), "PBA: BAR=0 offset=00003000");
        assertEquals(0x0023, cfg.read16(0x200), "[200] Designated Vendor-Specific");
        assertEquals(0x8086, cfg.read16(0x204));
        assertEquals(0x0005, cfg.read16(0x208), "ID=0005: Scalable IOV");
        assertEquals(1, cfg.read32(0x214) & 1, "SIOVCAP bit 0: IMS supported");
    }

    @Test
    void onlyTheSpecsWritableBitsChange() {
        ConfigSpace cfg = dsa(Map.of()).config().orElseThrow();
        cfg.write16(0x82, 0xFFFF);
        assertEquals(0xC008, cfg.read16(0x82), "Enable and Function Mask set, Table Size read-only");
        cfg.write16(0x00, 0);
        assertEquals(0x8086, cfg.read16(0x00));
        cfg.write16(0x04, 0xFFFF);
        assertEquals(0x0546, cfg.read16(0x04));
        assertThrows(IllegalArgumentException.class, () -> cfg.read16(0x81));
    }

    @Test
    void msixEntryMaskedLatchesInThePbaAndUnmaskSendsOnce() {
        HwDevice dsa = dsa(Map.of());
        Mmio bar0 = dsa.region(0);
        IllegalStateException off = assertThrows(IllegalStateException.class, () -> dsa.raise(2));
        assertEquals("device dsa0 has no message-signalled interrupt enabled", off.getMessage());
        dsa.config().orElseThrow().write16(0x82, 0x8000);
        assertEquals(1, bar0.read32(0x2000 + 2 * 16 + 12), "entries are masked at reset");
        bar0.write32(0x2000 + 2 * 16, 0xfee01000);
        bar0.write32(0x2000 + 2 * 16 + 4, 0);
        bar0.write32(0x2000 + 2 * 16 + 8, 0x41);
        dsa.raise(2);
        dsa.raise(2);
        assertEquals(0, port.sent.size());
        assertEquals(1L << 2, bar0.read32(0x3000), "PBA bit 2");
        assertEquals(1, port.merged.get(), "the second event merged into the pending one");
        bar0.write32(0x2000 + 2 * 16 + 12, 0);
        assertEquals(1, port.sent.size());
        assertEquals(0xfee01000L, port.sent.get(0)[0]);
        assertEquals(0x41, port.sent.get(0)[1]);
        assertEquals(0, bar0.read32(0x3000));
        dsa.raise(2);
        assertEquals(2, port.sent.size());
        assertThrows(IllegalArgumentException.class, () -> dsa.raise(9));
    }

    @Test
    void functionMaskLatchesEveryEntryUntilCleared() {
        HwDevice dsa = dsa(Map.of());
        Mmio bar0 = dsa.region(0);
        ConfigSpace cfg = dsa.config().orElseThrow();
        cfg.write16(0x82, 0xC000);
        bar0.write32(0x2000 + 8, 0x42);
        bar0.write32(0x2000 + 12, 0);
        dsa.raise(0);
        assertEquals(0, port.sent.size());
        assertEquals(1, bar0.read32(0x3000));
        cfg.write16(0x82, 0x8000);
        assertEquals(1, port.sent.size());
        assertEquals(0x42, port.sent.get(0)[1]);
    }

    @Test
    void imsSlotArrayWhereGencapAndOffsetsSayIt() {
        HwDevice dsa = dsa(Map.of("ims.mult", "1"));
        Mmio bar0 = dsa.region(0);
        assertEquals(0x100, bar0.read32(0x00), "VERSION 1.0");
        assertEquals(1, bar0.read32(0x10) >>> 25 & 0x3F, "GENCAP max_ims_mult: 256 slots");
        assertEquals(0x4000, (bar0.read32(0x64) >>> 16) * 0x100, "OFFSETS ims * IDXD_TABLE_MULT");
        long slot5 = 0x4000 + 5 * 16;
        assertEquals(1, bar0.read32(slot5 + 12), "masked at reset");
        bar0.write32(slot5, 0xfee02000);
        bar0.write32(slot5 + 4, 0);
        bar0.write32(slot5 + 8, 0x55);
        int cval = 0x123 << 12 | 1 << 3;
        bar0.write32(slot5 + 12, cval | 1);
        dsa.raise("idxd-ims", 5);
        dsa.raise("idxd-ims", 5);
        assertEquals(cval | 1 | 2, bar0.read32(slot5 + 12), "masked, pending, PASID 0x123 enabled");
        assertEquals(1, port.merged.get());
        bar0.write32(slot5 + 12, cval);
        assertEquals(1, port.sent.size());
        assertEquals(0xfee02000L, port.sent.get(0)[0]);
        assertEquals(cval, bar0.read32(slot5 + 12));
        dsa.raise("idxd-ims", 5);
        assertEquals(2, port.sent.size());
        assertThrows(IllegalArgumentException.class, () -> dsa.raise("idxd-ims", 256));
        assertThrows(IllegalArgumentException.class, () -> dsa.raise("platform", 0));
        assertEquals(List.of("pci", "idxd-ims"), dsa.storageTypes());
        assertEquals("0000:6a:01.0", dsa.fullName());
    }

    @Test
    void aDsaWithImsOffHasNoSlots() {
        HwDevice dsa = dsa(Map.of("ims.mult", "0"));
        assertEquals(0, dsa.region(0).read32(0x10) >>> 25 & 0x3F);
        assertThrows(IllegalArgumentException.class, () -> dsa.raise("idxd-ims", 0));
    }

    @Test
    void badPropertiesAreOneLineNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dsa(Map.of("slots", "8")));
        assertEquals("dsa0: unknown property slots (idxd takes ims.mult, pasid)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dsa(Map.of("ims.mult", "61")));
        assertEquals("dsa0: ims.mult: 0-60, not 61", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dsa(Map.of("pasid", "x")));
        assertEquals("dsa0: pasid: 'x' is not an integer", e.getMessage());
    }

    /** A mask write returns only after the raises that passed the mask: nothing is sent after it until unmask. */
    @Test
    void maskWriteWaitsForRaisesUnderWay() throws Exception {
        AtomicBoolean maskReturned = new AtomicBoolean();
        AtomicLong sentAfterMask = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicLong merged = new AtomicLong();
        DevicePort counting = new DevicePort() {
            @Override
            public void send(long address, int data) {
                if (maskReturned.get()) {
                    sentAfterMask.incrementAndGet();
                }
                sent.incrementAndGet();
            }

            @Override
            public void merged() {
                merged.incrementAndGet();
            }

            @Override
            public int requesterId() {
                return 0x6a08;
            }
        };
        HwDevice dsa = new IdxdKind().create(new DeviceSpec("idxd", "dsa0", 0x6a08, Map.of(), Path.of(".")), counting);
        Mmio bar0 = dsa.region(0);
        long ctrl = 0x4000 + 12;
        bar0.write32(ctrl, 0);
        int threads = 2;
        AtomicLong raised = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] raisers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            raisers[t] = new Thread(() -> {
                while (!stop.get()) {
                    dsa.raise("idxd-ims", 0);
                    raised.incrementAndGet();
                }
            });
            raisers[t].start();
        }
        awaitAbove(raised, 50_000);
        bar0.write32(ctrl, 1);
        maskReturned.set(true);
        awaitAbove(raised, raised.get() + 50_000);
        stop.set(true);
        for (Thread t : raisers) {
            t.join();
        }
        assertEquals(0, sentAfterMask.get(), "messages sent after the mask write returned");
        maskReturned.set(false);
        bar0.write32(ctrl, 0);
        assertEquals(raised.get(), sent.get() + merged.get(), "every raise sent or merged");
        assertTrue(merged.get() >= 50_000 - 1 - threads, "raises while masked merged into one pending event: " + merged.get());
    }

    /** Waits (bounded) until the count passes a value; the raising threads get there on their own. */
    private static void awaitAbove(AtomicLong count, long value) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (count.get() < value) {
            assertTrue(System.nanoTime() < deadline, "raises stalled at " + count.get());
            Thread.sleep(1);
        }
    }
}
