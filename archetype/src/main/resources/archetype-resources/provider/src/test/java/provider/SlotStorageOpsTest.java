package ${package}.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageRequest;

/**
 * The provider against registers that record every access (the layout of README.md), without the platform:
 * the conformance kit (ConformanceIT) then runs it against the real device in the real domain.
 */
public class SlotStorageOpsTest {

    private final SlotStorageOps ops = new SlotStorageOps();

    @Test
    public void theCapacityRegisterGivesTheVectorsAndAnEmptyDeviceIsDeclined() {
        assertEquals(8, ops.maxVectors(new FakeDevice(8)));
        assertEquals(Optional.empty(), ops.decline(new FakeDevice(8)));
        assertEquals(Optional.of("no message slots (its capacity register reads 0)"), ops.decline(new FakeDevice(0)));
        assertEquals("dev0 has 2 message slots, 3 vectors requested", assertThrows(IllegalArgumentException.class,
                () -> ops.createStorage(new FakeDevice(2), new StorageRequest(3))).getMessage());
        MsiStorage storage = ops.createStorage(new FakeDevice(2), new StorageRequest(2));
        assertEquals(2, storage.info().hwsize());
        assertEquals(true, storage.info().has(StorageFlag.CAN_MASK));
        assertEquals("${storageType}-MSI-dev0", storage.info().chipName());
    }

    @Test
    public void aLiveSlotIsMaskedAndReadBackBeforeItsMessageChanges() {
        FakeDevice device = new FakeDevice(4);
        MsiStorage storage = ops.createStorage(device, new StorageRequest(4));
        device.regs[(0x10 + 2 * 16 + 0xC) / 4] = 0; // slot 2 unmasked
        device.log.clear();
        storage.writeMsg(desc(2), new MsiMsg(0xFEE0_2000, 0, 0x31));
        assertEquals(List.of("r 0x3c", "w 0x3c=1", "r 0x3c", "w 0x30=fee02000", "w 0x34=0", "w 0x38=31", "w 0x3c=0"),
                device.log);
    }

    @Test
    public void aMaskedSlotIsWrittenAsItIsAndMaskReadsBack() {
        FakeDevice device = new FakeDevice(4);
        MsiStorage storage = ops.createStorage(device, new StorageRequest(1));
        device.log.clear();
        storage.writeMsg(desc(0), new MsiMsg(0xFEE0_0000, 0, 0x20));
        storage.mask(desc(0));
        storage.unmask(desc(0));
        assertEquals(List.of("r 0x1c", "w 0x10=fee00000", "w 0x14=0", "w 0x18=20", "w 0x1c=1", "r 0x1c", "w 0x1c=0"),
                device.log);
    }

    private static MsiDescView desc(int index) {
        return new MsiDescView() {
            @Override
            public int index() {
                return index;
            }

            @Override
            public int irq() {
                return 24 + index;
            }

            @Override
            public MsiMsg msg() {
                return MsiMsg.ZERO;
            }

            @Override
            public boolean masked() {
                return false;
            }

            @Override
            public int blockSize() {
                return 1;
            }
        };
    }

    /** Registers as the datasheet resets them (CAPACITY = N, every slot masked), logging every access. */
    private static final class FakeDevice implements HwDevice, Mmio {

        final int[] regs;
        final List<String> log = new ArrayList<>();

        FakeDevice(int slots) {
            regs = new int[4 + 4 * slots];
            regs[0] = slots;
            for (int k = 0; k < slots; k++) {
                regs[4 + 4 * k + 3] = 1;
            }
        }

        @Override
        public long size() {
            return regs.length * 4L;
        }

        @Override
        public int read32(long offset) {
            if (offset != 0) {
                log.add("r 0x" + Long.toHexString(offset));
            }
            return regs[(int) offset / 4];
        }

        @Override
        public void write32(long offset, int value) {
            log.add("w 0x" + Long.toHexString(offset) + "=" + Integer.toHexString(value));
            regs[(int) offset / 4] = value;
        }

        @Override
        public String id() {
            return "dev0";
        }

        @Override
        public String fullName() {
            return "dev0";
        }

        @Override
        public String storageType() {
            return SlotStorageOps.STORAGE_TYPE;
        }

        @Override
        public int requesterId() {
            return -1;
        }

        @Override
        public Optional<ConfigSpace> config() {
            return Optional.empty();
        }

        @Override
        public Mmio region(int n) {
            return this;
        }

        @Override
        public Map<String, String> properties() {
            return Map.of();
        }

        @Override
        public void raise(int index) {
            throw new UnsupportedOperationException("the provider never raises");
        }
    }
}
