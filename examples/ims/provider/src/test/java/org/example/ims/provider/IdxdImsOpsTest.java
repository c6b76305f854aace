package org.example.ims.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.example.ims.device.IdxdKind;
import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageRequest;

/** The provider against the idxd device model: slots found, written, masked and adopted as idxd does. */
class IdxdImsOpsTest {

    private final List<long[]> sent = new ArrayList<>();
    private final IdxdImsOps ops = new IdxdImsOps();

    private HwDevice dsa(Map<String, String> properties) {
        DevicePort port = new DevicePort() {
            @Override
            public void send(long address, int data) {
                sent.add(new long[] {address, data});
            }

            @Override
            public void merged() {
            }

            @Override
            public int requesterId() {
                return 0x6a08;
            }
        };
        return new IdxdKind().create(new DeviceSpec("idxd", "dsa0", 0x6a08, properties, Path.of(".")), port);
    }

    record Desc(int index) implements MsiDescView {
        public int irq() {
            return 40 + index;
        }

        public MsiMsg msg() {
            return MsiMsg.ZERO;
        }

        public boolean masked() {
            return false;
        }

        public int blockSize() {
            return 1;
        }
    }

    private static int ctrl(HwDevice dsa, int slot) {
        return dsa.region(0).read32(0x4000 + 16L * slot + 12);
    }

    @Test
    void capacityIsGencapMaxImsMultTimes256() {
        assertEquals(256, ops.maxVectors(dsa(Map.of())));
        assertEquals(512, ops.maxVectors(dsa(Map.of("ims.mult", "2"))));
        assertEquals(Optional.empty(), ops.decline(dsa(Map.of())));
    }

    @Test
    void aDsaWithImsOffIsDeclined() {
        HwDevice off = dsa(Map.of("ims.mult", "0"));
        assertEquals(Optional.of("no IMS slots: GENCAP max_ims_mult is 0"), ops.decline(off));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.maxVectors(off));
        assertEquals("dsa0 has no IMS storage: no IMS slots: GENCAP max_ims_mult is 0", e.getMessage());
    }

    @Test
    void freshStorageMasksItsSlotsWithThePasidWordAndDelivers() {
        HwDevice dsa = dsa(Map.of("pasid", "66"));
        MsiStorage ims = ops.createStorage(dsa, new StorageRequest(4));
        assertEquals("PCI-IDXD-0000:6a:01.0", ims.info().chipName());
        assertEquals(256, ims.info().hwsize());
        assertTrue(ims.info().has(StorageFlag.CAN_MASK));
        int word = 66 << 12 | 1 << 3;
        for (int i = 0; i < 4; i++) {
            assertEquals(word | 1, ctrl(dsa, i), "slot " + i + " masked, PASID 66 enabled");
        }
        ims.writeMsg(new Desc(1), new MsiMsg(0xfee03000, 0, 0x51));
        dsa.raise("idxd-ims", 1);
        assertEquals(0, sent.size(), "masked: latched");
        ims.unmask(new Desc(1));
        assertEquals(word, ctrl(dsa, 1));
        assertEquals(1, sent.size(), "the latched event, once");
        assertEquals(0xfee03000L, sent.get(0)[0]);
        assertEquals(0x51, sent.get(0)[1]);
        ims.mask(new Desc(1));
        dsa.raise("idxd-ims", 1);
        assertEquals(1, sent.size());
        ims.unmask(new Desc(1));
        assertEquals(2, sent.size());
        assertThrows(IllegalArgumentException.class, () -> ops.createStorage(dsa, new StorageRequest(257)));
    }

    @Test
    void adoptionWritesNothingAndKeepsTheLiveSlots() {
        HwDevice dsa = dsa(Map.of("pasid", "7"));
        MsiStorage first = ops.createStorage(dsa, new StorageRequest(2));
        first.writeMsg(new Desc(0), new MsiMsg(0xfee00000, 0, 0x30));
        first.unmask(new Desc(0));
        Mmio bar0 = dsa.region(0);
        // another PASID word in slot 1, as another driver instance might have left it
        bar0.write32(0x4000 + 16 + 12, 9 << 12 | 1 << 3 | 1);
        int[] before = slots(bar0, 2);
        MsiStorage adopted = ops.createStorage(dsa, new StorageRequest(2, "", true));
        assertArrayEquals(before, slots(bar0, 2), "adoption wrote nothing");
        dsa.raise("idxd-ims", 0);
        assertEquals(1, sent.size(), "the live slot still delivers");
        adopted.unmask(new Desc(1));
        assertEquals(9 << 12 | 1 << 3, ctrl(dsa, 1), "the slot's own PASID word kept");
        adopted.mask(new Desc(0));
        assertEquals(7 << 12 | 1 << 3 | 1, ctrl(dsa, 0));
    }

    private static int[] slots(Mmio bar0, int n) {
        int[] words = new int[4 * n];
        for (int k = 0; k < words.length; k++) {
            words[k] = bar0.read32(0x4000 + 4L * k);
        }
        return words;
    }
}
