package org.msidomain.itest.bad;

import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A provider bundle with a bug, built by the test (TinyBundles) and installed into Felix: its storages
 * either throw in {@code writeMsg} or block in {@code lock}, ignoring interrupts until the bundle stops.
 */
public final class MisbehavingProvider implements MsiStorageOps {

    /** The bundle header that says how this provider misbehaves. */
    public static final String MODE_HEADER = "Msi-Misbehaviour";
    public static final String THROW_IN_WRITE = "throw-in-writeMsg";
    public static final String BLOCK_IN_LOCK = "block-in-lock";

    private final String mode;
    /** Released when the bundle stops, so a stuck thread is not left behind by the test. */
    final CountDownLatch stopped = new CountDownLatch(1);

    MisbehavingProvider(String mode) {
        this.mode = mode;
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        return new Storage(device.id(), Math.max(request.vectors(), 8));
    }

    @Override
    public int maxVectors(HwDevice device) {
        return 8;
    }

    private final class Storage implements MsiStorage {
        private final StorageInfo info;

        Storage(String device, int size) {
            info = new StorageInfo("BAD-" + device, size, EnumSet.of(StorageFlag.CAN_MASK));
        }

        @Override
        public StorageInfo info() {
            return info;
        }

        @Override
        public void writeMsg(MsiDescView desc, MsiMsg msg) {
            if (THROW_IN_WRITE.equals(mode)) {
                throw new NullPointerException("bug in writeMsg");
            }
        }

        @Override
        public void mask(MsiDescView desc) {
        }

        @Override
        public void unmask(MsiDescView desc) {
        }

        @Override
        public void lock() {
            if (BLOCK_IN_LOCK.equals(mode)) {
                while (stopped.getCount() > 0) {
                    try {
                        stopped.await();
                    } catch (InterruptedException ignored) {
                        // a badly written provider: it swallows the interrupt and waits on
                    }
                }
            }
        }
    }
}
