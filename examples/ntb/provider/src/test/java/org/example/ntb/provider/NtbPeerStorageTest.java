package org.example.ntb.provider;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.example.ntb.device.NtbKind;
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

/** The provider against the real bridge model of the device bundle (plain objects, no framework). */
class NtbPeerStorageTest {

    private final List<long[]> sent = new ArrayList<>();
    private final NtbPeerStorageOps ops = new NtbPeerStorageOps();

    private final DevicePort port = new DevicePort() {
        @Override
        public void send(long address, int data) {
            sent.add(new long[] {address, data});
        }

        @Override
        public void merged() {
        }

        @Override
        public int requesterId() {
            return -1;
        }
    };

    private HwDevice bridge(Map<String, String> properties) {
        return new NtbKind().create(new DeviceSpec("ntb", "ntb0", -1, properties, Path.of(".")), port);
    }

    record Desc(int index, MsiMsg msg) implements MsiDescView {
        @Override
        public int irq() {
            return 24 + index;
        }

        @Override
        public boolean masked() {
            return false;
        }

        @Override
        public int blockSize() {
            return 1;
        }
    }

    private static void write(MsiStorage storage, int index, MsiMsg msg) {
        storage.writeMsg(new Desc(index, msg), msg);
    }

    @Test
    void declinesABridgeWithoutScratchpadsOrWindow() {
        assertEquals(Optional.of("no scratchpads to hand a vector to the peer (2, needs 3)"),
                ops.decline(bridge(Map.of("scratchpads", "2"))));
        assertEquals(Optional.of("no memory window from the peer into the message window"),
                ops.decline(bridge(Map.of("window.size", "0"))));
        assertEquals(Optional.empty(), ops.decline(bridge(Map.of())));
        assertThrows(IllegalArgumentException.class, () -> ops.maxVectors(bridge(Map.of("scratchpads", "0"))));
    }

    @Test
    void maxVectorsFromTheScratchpadCount() {
        assertEquals(4, ops.maxVectors(bridge(Map.of("vectors", "4"))), "9 scratchpads by default");
        assertEquals(3, ops.maxVectors(bridge(Map.of("vectors", "8", "scratchpads", "7"))), "(7 - 1) / 2");
        assertEquals(2, ops.maxVectors(bridge(Map.of("vectors", "2", "scratchpads", "64"))), "the peer raises 2");
        assertEquals("ntb0: 5 vectors asked, its scratchpads hand 4 to the peer", assertThrows(IllegalArgumentException.class,
                () -> ops.createStorage(bridge(Map.of()), new StorageRequest(5))).getMessage());
    }

    @Test
    void writeMsgHandsTheOffsetAndDataAndThePeerFiresThroughTheWindow() {
        HwDevice ntb = bridge(Map.of("vectors", "4", "window.size", "0x8000"));
        MsiStorage storage = ops.createStorage(ntb, new StorageRequest(2));
        assertFalse(storage.info().has(StorageFlag.CAN_MASK), "the peer cannot mask");
        assertEquals(4, storage.info().hwsize());
        assertEquals("NTB-MSI-ntb0", storage.info().chipName());
        assertEquals(0xFEE00000, ntb.region(0).read32(NtbRegs.MW_XLAT_LO), "ntb_msi_setup_mws: translated to the message window");
        write(storage, 1, new MsiMsg(0xFEE02000, 0, 0x31));
        assertEquals(0x2000, ntb.region(0).read32(NtbRegs.offsetSpad(1)), "the address as an offset into the window");
        assertEquals(0x31, ntb.region(0).read32(NtbRegs.dataSpad(1)));
        ntb.raise(1);
        assertTrue(sent.isEmpty(), "not enabled: SPAD0 hands nothing yet, the peer holds the trigger");
        storage.enable();
        assertEquals(4, ntb.region(0).read32(NtbRegs.spad(0)));
        assertEquals(1, sent.size(), "the held trigger went out at the doorbell");
        assertArrayEquals(new long[] {0xFEE02000L, 0x31}, sent.get(0));
        ntb.raise(1);
        assertEquals(2, sent.size());
        assertThrows(IllegalArgumentException.class, () -> write(storage, 0, new MsiMsg(0xFEE08000, 0, 0x20)),
                "0xFEE08000 is beyond the 32 KiB window");
    }

    @Test
    void aDeactivatedVectorIsWithdrawnFromThePeer() {
        HwDevice ntb = bridge(Map.of());
        MsiStorage storage = ops.createStorage(ntb, new StorageRequest(1));
        write(storage, 0, new MsiMsg(0xFEE01000, 0, 0x22));
        storage.enable();
        write(storage, 0, MsiMsg.ZERO);
        storage.disable();
        ntb.raise(0);
        assertTrue(sent.isEmpty(), "nothing handed, nothing written into the window");
        assertEquals(NtbRegs.NONE, ntb.region(0).read32(NtbRegs.offsetSpad(0)));
    }

    @Test
    void adoptingKeepsWhatThePeerWasHanded() {
        HwDevice ntb = bridge(Map.of());
        MsiStorage first = ops.createStorage(ntb, new StorageRequest(2));
        write(first, 0, new MsiMsg(0xFEE03000, 0, 0x40));
        first.enable();
        MsiStorage adopted = ops.createStorage(ntb, new StorageRequest(2, "", true));
        ntb.raise(0);
        assertEquals(1, sent.size(), "the live pair still fires after the takeover, before any restore");
        assertArrayEquals(new long[] {0xFEE03000L, 0x40}, sent.get(0));
        write(adopted, 0, new MsiMsg(0xFEE03000, 0, 0x40));
        ntb.raise(0);
        assertEquals(2, sent.size());
        ops.createStorage(ntb, new StorageRequest(2));
        ntb.raise(0);
        assertEquals(2, sent.size(), "a fresh storage withdraws every pair until it hands them again");
    }

    @Test
    void eachStepOfTheNonMaskableMoveChangesOneScratchpad() {
        HwDevice ntb = bridge(Map.of());
        MsiStorage storage = ops.createStorage(ntb, new StorageRequest(1));
        write(storage, 0, new MsiMsg(0xFEE00000, 0, 0x20));
        int offsetBefore = ntb.region(0).read32(NtbRegs.offsetSpad(0));
        write(storage, 0, new MsiMsg(0xFEE00000, 0, 0x21)); // new vector on the old CPU: data only
        assertEquals(offsetBefore, ntb.region(0).read32(NtbRegs.offsetSpad(0)));
        write(storage, 0, new MsiMsg(0xFEE03000, 0, 0x21)); // then the new CPU: address only
        assertEquals(0x21, ntb.region(0).read32(NtbRegs.dataSpad(0)));
        assertEquals(0x3000, ntb.region(0).read32(NtbRegs.offsetSpad(0)));
    }

    @Test
    void everyHandoffEndsWithAReadBackThatFlushesTheBridge() {
        HwDevice ntb = bridge(Map.of());
        List<String> accesses = new ArrayList<>();
        Mmio recording = new Mmio() {
            @Override
            public long size() {
                return ntb.region(0).size();
            }

            @Override
            public int read32(long offset) {
                accesses.add("read " + Long.toHexString(offset));
                return ntb.region(0).read32(offset);
            }

            @Override
            public void write32(long offset, int value) {
                accesses.add("write " + Long.toHexString(offset));
                ntb.region(0).write32(offset, value);
            }
        };
        MsiStorage storage = new NtbPeerStorage(recording, "NTB-MSI-ntb0", 4, 0xFEE00000L, 0x100000);
        write(storage, 2, new MsiMsg(0xFEE01000, 0, 0x25));
        assertEquals(List.of("write 118", "write 114", "write c", "read 0"), accesses,
                "data (SPAD6), offset (SPAD5), doorbell, then the read-back before the domain reuses the old vector");
        accesses.clear();
        storage.enable();
        assertEquals("read 0", accesses.get(accesses.size() - 1));
    }
}
