package org.msidomain.core.internal;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;

import org.msidomain.api.BindingState;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * A device as the domain sees it: its descriptors by MSI index and, while a provider serves it, the
 * provider and the storage it created. Written under the control lock; read by queries via volatiles.
 */
final class DeviceState {

    final HwDevice hw;
    final ConcurrentSkipListMap<Integer, IrqDesc> descs = new ConcurrentSkipListMap<>();

    private volatile ProviderBinding provider;
    private volatile MsiStorage storage;
    private volatile StorageInfo info;
    private volatile String failure = "";
    /** The storage variant the driver asked for at allocation, asked again at every restore. */
    volatile String variant = "";
    /** The power-of-two block of vectors a multi-message device uses on one CPU; 1 otherwise. */
    int blockSize = 1;
    /** Whether the device's messages go through the interrupt-remapping domain. */
    volatile boolean remapped;

    DeviceState(HwDevice hw) {
        this.hw = hw;
    }

    String id() {
        return hw.id();
    }

    String type() {
        return hw.storageType();
    }

    ProviderBinding provider() {
        return provider;
    }

    MsiStorage storage() {
        return storage;
    }

    StorageInfo info() {
        return info;
    }

    boolean has(StorageFlag flag) {
        StorageInfo i = info;
        return i != null && i.has(flag);
    }

    /** Whether storage writes can happen now. */
    boolean writable() {
        return storage != null;
    }

    void bind(ProviderBinding binding) {
        provider = binding;
        failure = "";
    }

    void attach(MsiStorage s) {
        storage = s;
        info = s.info();
    }

    /**
     * Forgets the provider and its storage: after this the domain holds no object of the provider's
     * bundle for this device. The device's registers keep their messages.
     */
    void detach() {
        provider = null;
        storage = null;
    }

    /** Forgets the storage of a device whose vectors were all freed. */
    void dropStorage() {
        storage = null;
        info = null;
    }

    void fail(String reason) {
        failure = reason;
        storage = null;
    }

    Collection<IrqDesc> descriptors() {
        return descs.values();
    }

    BindingState state() {
        if (!failure.isEmpty()) {
            return BindingState.FAILED;
        }
        return provider == null ? BindingState.UNBOUND : BindingState.BOUND;
    }

    String chipName() {
        StorageInfo i = info;
        return (remapped ? "IR-" : "") + (i != null ? i.chipName() : type().toUpperCase() + "-MSI-" + hw.fullName());
    }

    String reason() {
        if (!failure.isEmpty()) {
            return failure;
        }
        if (provider == null) {
            return "no provider of storage type '" + type() + "' is bound"
                    + (descs.isEmpty() ? "" : "; the device keeps delivering with its programmed messages");
        }
        return "";
    }
}
