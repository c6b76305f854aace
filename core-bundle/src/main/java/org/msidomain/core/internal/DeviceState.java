package org.msidomain.core.internal;

import java.time.Instant;
import java.util.Optional;

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
    final DescTable descs = new DescTable();
    /** Arrivals merged into an already pending one while masked at the destination (rare, off the fast path). */
    final java.util.concurrent.atomic.LongAdder merged = new java.util.concurrent.atomic.LongAdder();

    private volatile ProviderBinding provider;
    private volatile MsiStorage storage;
    private volatile StorageInfo info;
    private volatile String failure = "";
    /** Who served the device before it became unbound, for the reason shown to users. */
    private volatile String lastProvider = "";
    /** The storage variant the driver asked for at allocation, asked again at every restore. */
    volatile String variant = "";
    /** The power-of-two block of vectors a multi-message device uses on one CPU; 1 otherwise. */
    int blockSize = 1;
    /** Whether the device's messages go through the interrupt-remapping domain. */
    volatile boolean remapped;
    /** Releases of vector slots an abandoned move left installed (control path only). */
    final java.util.List<Runnable> strays = new java.util.ArrayList<>();
    /** When the device last stopped being served (unbound or failed); null while bound. */
    private volatile Instant unservedSince = Instant.now();

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
        unservedSince = null;
    }

    /** The same provider service with new properties: its storage and any failure stay. */
    void renew(ProviderBinding binding) {
        provider = binding;
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
        ProviderBinding p = provider;
        if (p != null) {
            lastProvider = p.symbolicName() + " " + p.version();
        }
        provider = null;
        storage = null;
        failure = ""; // a failure belongs to the provider that left
        markUnserved();
    }

    /** Forgets the storage of a device whose vectors were all freed. */
    void dropStorage() {
        storage = null;
        info = null;
    }

    void fail(String reason) {
        failure = reason;
        storage = null;
        markUnserved();
    }

    /** Keeps the first moment: a failure that turns into unbound has not been served since the failure. */
    private void markUnserved() {
        if (unservedSince == null) {
            unservedSince = Instant.now();
        }
    }

    /** Since when the device has been unbound or failed; empty while bound. */
    Optional<Instant> unservedSince() {
        return Optional.ofNullable(unservedSince);
    }

    java.util.List<IrqDesc> descriptors() {
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
            String why = lastProvider.isEmpty() ? "no provider of storage type '" + type() + "' has been bound"
                    : "its provider " + lastProvider + " left (stopped, updated or uninstalled) and no other of storage type '"
                            + type() + "' is bound";
            return why + (descs.isEmpty() ? "." : "; its " + descs.size()
                    + " vectors keep delivering with the messages in its registers" + deferred() + ".");
        }
        return "";
    }

    /** Operations that wait for a provider: affinity changes, masks held at the destination. */
    private String deferred() {
        long moves = descs.values().stream().filter(d -> d.wantedCpu >= 0 && !d.reserved).count();
        long masks = descs.values().stream().filter(d -> d.parentMasked && d.masked).count();
        if (moves == 0 && masks == 0) {
            return "";
        }
        return "; waiting: " + (moves > 0 ? moves + " affinity change" + (moves > 1 ? "s" : "") : "")
                + (moves > 0 && masks > 0 ? ", " : "") + (masks > 0 ? masks + " mask" + (masks > 1 ? "s" : "") + " held at the CPU" : "");
    }
}
