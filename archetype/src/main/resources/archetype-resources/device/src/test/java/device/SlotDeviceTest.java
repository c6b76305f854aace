package ${package}.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/** The register layout of README.md, read and written as a driver would, against a port that records the writes. */
class SlotDeviceTest {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AtomicInteger merged = new AtomicInteger();
    private final DevicePort port = new DevicePort() {
        @Override
        public void send(long address, int data) {
            sent.add(Long.toHexString(address) + "/" + Integer.toHexString(data));
        }

        @Override
        public void merged() {
            merged.incrementAndGet();
        }

        @Override
        public int requesterId() {
            return 0x0500;
        }
    };

    private HwDevice create(Map<String, String> properties) {
        return new SlotDeviceKind().create(new DeviceSpec(SlotDeviceKind.NAME, "dev0", 0x0500, properties, Path.of(".")), port);
    }

    @Test
    void theCapacityRegisterGivesTheSlotsAndEverySlotResetsMasked() {
        HwDevice device = create(Map.of("slots", "3"));
        Mmio regs = device.region(0);
        assertEquals(3, regs.read32(0x00));
        assertEquals(0x10 + 3 * 16, regs.size());
        for (int k = 0; k < 3; k++) {
            assertEquals(1, regs.read32(0x10 + 16 * k + 0xC), "slot " + k + " control");
        }
        assertEquals("${storageType}", device.storageType());
        assertEquals(0x0500, device.requesterId());
    }

    @Test
    void aRaiseWhileMaskedIsPendingAndSentOnceOnUnmaskWithTheMessageThen() {
        HwDevice device = create(Map.of("slots", "2"));
        Mmio regs = device.region(0);
        long slot1 = 0x10 + 16;
        device.raise(1);
        device.raise(1);
        assertEquals(List.of(), sent);
        assertEquals(1, merged.get(), "the second raise merged with the pending one");
        assertEquals(1 | 2, regs.read32(slot1 + 0xC), "masked and pending");
        regs.write32(slot1, 0xFEE0_1000);
        regs.write32(slot1 + 4, 0);
        regs.write32(slot1 + 8, 0x41);
        regs.write32(slot1 + 0xC, 0);
        assertEquals(List.of("fee01000/41"), sent);
        assertEquals(0, regs.read32(slot1 + 0xC), "unmasked, nothing pending");
        device.raise(1);
        assertEquals(List.of("fee01000/41", "fee01000/41"), sent);
    }

    @Test
    void thePendingBitIsReadOnlyAndMaskingKeepsIt() {
        HwDevice device = create(Map.of("slots", "1"));
        Mmio regs = device.region(0);
        regs.write32(0x10 + 0xC, 1 | 2);
        assertEquals(1, regs.read32(0x1C));
        device.raise(0);
        regs.write32(0x1C, 1);
        assertEquals(1 | 2, regs.read32(0x1C));
        regs.write32(0x00, 99);
        assertEquals(1, regs.read32(0x00), "capacity is read-only");
    }

    @Test
    void aRaiseRacingAnUnmaskIsSentExactlyOnce() throws Exception {
        HwDevice device = create(Map.of("slots", "1"));
        Mmio regs = device.region(0);
        for (int round = 0; round < 2000; round++) {
            regs.write32(0x1C, 1);
            sent.clear();
            CyclicBarrier start = new CyclicBarrier(2);
            Thread raiser = new Thread(() -> {
                await(start);
                device.raise(0);
            });
            raiser.start();
            await(start);
            regs.write32(0x1C, 0);
            raiser.join();
            assertEquals(1, sent.size(), "round " + round);
            assertFalse(((SlotDevice) device).pending(0));
        }
    }

    @Test
    void badEntriesAndAccessesAreRefusedInOneLine() {
        assertEquals("dev0: unknown property 'colour' (kind ${kind} knows: slots)",
                assertThrows(IllegalArgumentException.class, () -> create(Map.of("colour", "red"))).getMessage());
        assertEquals("dev0: slots: 4096 is out of range (0-2048)",
                assertThrows(IllegalArgumentException.class, () -> create(Map.of("slots", "4096"))).getMessage());
        HwDevice device = create(Map.of("slots", "0"));
        assertEquals(0, device.region(0).read32(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> device.raise(0)).getMessage().contains("no slot 0"));
        assertThrows(IllegalArgumentException.class, () -> device.region(0).read32(0x10));
        assertThrows(IllegalArgumentException.class, () -> device.region(1));
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
