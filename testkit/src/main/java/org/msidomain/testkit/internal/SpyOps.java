package org.msidomain.testkit.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A wrapper the kit registers above the provider under test (a higher service ranking, the same storage
 * type): every operation is the provider's own, called on the provider's own storage, so the device behaves
 * as with the provider alone; the wrapper only watches. It learns each device's {@link StorageInfo} (the
 * flags decide what the mask and bus-lock checks expect) and, when armed, raises an interrupt at the moment
 * the domain releases the bus lock, before the provider pushes what it recorded.
 */
final class SpyOps implements MsiStorageOps {

    /** Called in {@code unlock}, before the provider's, while a write of the armed descriptor is recorded. */
    interface UnlockProbe {
        void beforeUnlock(HwDevice device, int index);
    }

    private final MsiStorageOps provider;
    final Map<String, StorageInfo> infos = new ConcurrentHashMap<>();
    private volatile String armedDevice;
    private volatile int armedIndex = -1;
    private volatile boolean written;
    private volatile UnlockProbe probe;

    SpyOps(MsiStorageOps provider) {
        this.provider = provider;
    }

    void arm(String device, int index, UnlockProbe probe) {
        this.written = false;
        this.probe = probe;
        this.armedIndex = index;
        this.armedDevice = device;
    }

    void disarm() {
        armedDevice = null;
        probe = null;
    }

    /** The provider's storage, and the device it belongs to. */
    private static final class Spied implements MsiStorage {
        final MsiStorage inner;
        final HwDevice device;

        Spied(MsiStorage inner, HwDevice device) {
            this.inner = inner;
            this.device = device;
        }

        @Override
        public StorageInfo info() {
            return inner.info();
        }

        @Override
        public void writeMsg(MsiDescView desc, MsiMsg msg) {
            inner.writeMsg(desc, msg);
        }

        @Override
        public Optional<MsiMsg> readMsg(MsiDescView desc) {
            return inner.readMsg(desc);
        }

        @Override
        public void mask(MsiDescView desc) {
            inner.mask(desc);
        }

        @Override
        public void unmask(MsiDescView desc) {
            inner.unmask(desc);
        }

        @Override
        public void lock() {
            inner.lock();
        }

        @Override
        public void unlock() {
            inner.unlock();
        }

        @Override
        public void enable() {
            inner.enable();
        }

        @Override
        public void disable() {
            inner.disable();
        }

        @Override
        public void restoreBegin() {
            inner.restoreBegin();
        }

        @Override
        public void restoreEnd() {
            inner.restoreEnd();
        }
    }

    private static MsiStorage inner(MsiStorage s) {
        return s instanceof Spied spied ? spied.inner : s;
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        MsiStorage storage = provider.createStorage(device, request);
        infos.put(device.id(), storage.info());
        return new Spied(storage, device);
    }

    @Override
    public int maxVectors(HwDevice device) {
        return provider.maxVectors(device);
    }

    @Override
    public Optional<String> decline(HwDevice device) {
        return provider.decline(device);
    }

    @Override
    public void releaseStorage(MsiStorage storage) {
        provider.releaseStorage(inner(storage));
    }

    @Override
    public void writeMsg(MsiStorage storage, MsiDescView desc, MsiMsg msg) {
        if (storage instanceof Spied s && s.device.id().equals(armedDevice) && desc.index() == armedIndex) {
            written = true;
        }
        provider.writeMsg(inner(storage), desc, msg);
    }

    @Override
    public Optional<MsiMsg> readMsg(MsiStorage storage, MsiDescView desc) {
        return provider.readMsg(inner(storage), desc);
    }

    @Override
    public void mask(MsiStorage storage, MsiDescView desc) {
        provider.mask(inner(storage), desc);
    }

    @Override
    public void unmask(MsiStorage storage, MsiDescView desc) {
        provider.unmask(inner(storage), desc);
    }

    @Override
    public void lock(MsiStorage storage) {
        provider.lock(inner(storage));
    }

    @Override
    public void unlock(MsiStorage storage) {
        UnlockProbe p = probe;
        if (p != null && written && storage instanceof Spied s && s.device.id().equals(armedDevice)) {
            written = false;
            p.beforeUnlock(s.device, armedIndex);
        }
        provider.unlock(inner(storage));
    }
}
