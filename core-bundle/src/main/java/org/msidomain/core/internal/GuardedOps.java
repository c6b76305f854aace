package org.msidomain.core.internal;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A provider's {@link MsiStorageOps} as the domain calls it: every call, and every call on the storages
 * it creates, runs inside the {@link ProviderGuard}'s bounded wait. The provider receives its own
 * storage objects, never the domain's wrappers.
 */
final class GuardedOps implements MsiStorageOps {

    private final MsiStorageOps ops;
    private final ProviderGuard guard;
    private final String provider;

    GuardedOps(MsiStorageOps ops, ProviderGuard guard, String provider) {
        this.ops = ops;
        this.guard = guard;
        this.provider = provider;
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        MsiStorage created = guard.call(device.id(), provider, "createStorage", () -> ops.createStorage(device, request));
        if (created == null) {
            throw new NullPointerException("createStorage returned no storage");
        }
        return new Storage(created, device.id());
    }

    @Override
    public int maxVectors(HwDevice device) {
        return guard.call(device.id(), provider, "maxVectors", () -> ops.maxVectors(device));
    }

    @Override
    public java.util.Optional<String> decline(HwDevice device) {
        return guard.call(device.id(), provider, "decline", () -> ops.decline(device));
    }

    @Override
    public void releaseStorage(MsiStorage storage) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "releaseStorage", () -> ops.releaseStorage(s.storage));
    }

    @Override
    public void writeMsg(MsiStorage storage, MsiDescView desc, MsiMsg msg) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "writeMsg", () -> ops.writeMsg(s.storage, desc, msg));
    }

    @Override
    public java.util.Optional<MsiMsg> readMsg(MsiStorage storage, MsiDescView desc) {
        Storage s = (Storage) storage;
        java.util.Optional<MsiMsg> msg = guard.call(device(s), provider, "readMsg", () -> ops.readMsg(s.storage, desc));
        return msg == null ? java.util.Optional.empty() : msg;
    }

    @Override
    public void mask(MsiStorage storage, MsiDescView desc) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "mask", () -> ops.mask(s.storage, desc));
    }

    @Override
    public void unmask(MsiStorage storage, MsiDescView desc) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "unmask", () -> ops.unmask(s.storage, desc));
    }

    @Override
    public void lock(MsiStorage storage) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "lock", () -> ops.lock(s.storage));
    }

    @Override
    public void unlock(MsiStorage storage) {
        Storage s = (Storage) storage;
        guard.run(device(s), provider, "unlock", () -> ops.unlock(s.storage));
    }

    /** The device a storage serves, for the guard's report (a refused call may come with none). */
    private static String device(Storage s) {
        return s == null ? "an unknown device" : s.device;
    }

    /** A provider's storage of one device, its own calls guarded too. */
    private final class Storage implements MsiStorage {
        final MsiStorage storage;
        final String device;
        private final StorageInfo info;

        Storage(MsiStorage storage, String device) {
            this.storage = storage;
            this.device = device;
            info = guard.call(device, provider, "info", storage::info);
            if (info == null) {
                throw new NullPointerException("the storage of " + device + " has no info");
            }
        }

        @Override
        public StorageInfo info() {
            return info; // constant for the storage's life
        }

        @Override
        public void writeMsg(MsiDescView desc, MsiMsg msg) {
            GuardedOps.this.writeMsg(this, desc, msg);
        }

        @Override
        public java.util.Optional<MsiMsg> readMsg(MsiDescView desc) {
            return GuardedOps.this.readMsg(this, desc);
        }

        @Override
        public void mask(MsiDescView desc) {
            GuardedOps.this.mask(this, desc);
        }

        @Override
        public void unmask(MsiDescView desc) {
            GuardedOps.this.unmask(this, desc);
        }

        @Override
        public void lock() {
            GuardedOps.this.lock(this);
        }

        @Override
        public void unlock() {
            GuardedOps.this.unlock(this);
        }

        @Override
        public void enable() {
            guard.run(device, provider, "enable", storage::enable);
        }

        @Override
        public void disable() {
            guard.run(device, provider, "disable", storage::disable);
        }

        @Override
        public void restoreBegin() {
            guard.run(device, provider, "restoreBegin", storage::restoreBegin);
        }

        @Override
        public void restoreEnd() {
            guard.run(device, provider, "restoreEnd", storage::restoreEnd);
        }
    }
}
