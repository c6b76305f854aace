package org.msidomain.core.internal;

import java.time.Instant;
import java.util.Optional;

import org.msidomain.api.BindingState;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;

/**
 * One storage of a device as the domain sees it (a device with several storages, Linux's default and
 * secondary per-device MSI domains, has one of these per storage type): its descriptors by MSI index and,
 * while a provider serves it, the provider and the storage it created. Written under the control lock;
 * read by queries via volatiles.
 */
final class DeviceState implements org.msidomain.parent.ParentDevice {

    final HwDevice hw;
    /** The storage type this state serves: the device's default one or a secondary one. */
    private final String type;
    /** Whether this is the device's default storage (the first of {@link HwDevice#storageTypes()}). */
    final boolean primary;
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
    /** What the parent supports for the attached storage, and the prefix of its chip name (set at attach). */
    volatile java.util.Set<org.msidomain.parent.ParentFeature> parentFeatures = java.util.Set.of();
    volatile String parentPrefix = "";
    /** Releases of vector slots an abandoned move left installed (control path only). */
    final java.util.List<Runnable> strays = new java.util.ArrayList<>();
    /** When the device last stopped being served (unbound or failed); null while bound. */
    private volatile Instant unservedSince = Instant.now();

    /** The providers that declined the storage at the last choice, with their reasons, in ranking order. */
    private volatile java.util.Map<String, String> declines = java.util.Map.of();
    /** Set when the device left the machine: nothing may touch its storage any more. */
    volatile boolean removed;

    DeviceState(HwDevice hw) {
        this(hw, hw.storageType(), true);
    }

    /** The device's default storage, for a secondary one (its chip name must differ); null for the default. */
    private final DeviceState defaultStorage;

    /** A secondary storage of the device whose default storage is {@code defaultStorage}. */
    DeviceState(HwDevice hw, String type, DeviceState defaultStorage) {
        this.hw = hw;
        this.type = type;
        this.primary = false;
        this.defaultStorage = defaultStorage;
    }

    private DeviceState(HwDevice hw, String type, boolean primary) {
        this.hw = hw;
        this.type = type;
        this.primary = primary;
        this.defaultStorage = null;
    }

    /** Whether the parent supports a feature for the attached storage. */
    boolean parentHas(org.msidomain.parent.ParentFeature feature) {
        return parentFeatures.contains(feature);
    }

    @Override
    public String storageType() {
        return type();
    }

    @Override
    public int requesterId() {
        return hw.requesterId();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int hwsize() {
        StorageInfo i = info;
        return i == null ? 0 : i.hwsize();
    }

    @Override
    public String id() {
        return hw.id();
    }

    String type() {
        return type;
    }

    /** Under the control lock: the declines of a new choice of provider (empty: none declined). */
    void declined(java.util.Map<String, String> byProvider) {
        declines = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byProvider));
    }

    java.util.Map<String, String> declines() {
        return declines;
    }

    /** A provider that left no longer declines. */
    void forgetDecline(String provider) {
        if (declines.containsKey(provider)) {
            java.util.Map<String, String> left = new java.util.LinkedHashMap<>(declines);
            left.remove(provider);
            declines = java.util.Collections.unmodifiableMap(left);
        }
    }

    /** "declined by A: why; declined by B: why", or empty. */
    String declineText() {
        StringBuilder out = new StringBuilder();
        declines.forEach((p, why) -> out.append(out.length() == 0 ? "" : "; ").append("declined by ").append(p)
                .append(": ").append(why));
        return out.toString();
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

    @Override
    public boolean has(StorageFlag flag) {
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

    /**
     * The irq chip's name, as Linux names a per-device MSI domain ({@code msi_create_device_irq_domain}:
     * {@code "%s%s-%s"}, the parent's prefix, the template's chip name, the device name): {@code IR-} when
     * remapped (the parent's prefix), then the provider's chip name, or {@code TYPE-MSI-<device>} while there is no storage. A
     * secondary storage whose provider names its chip as the default storage's is named by its type
     * ({@code IMS-MSI-0000:00:04.0}), so two storages of one device never show the same chip.
     */
    String chipName() {
        StorageInfo i = info;
        String own = i != null ? i.chipName() : fallbackChip();
        if (!primary && i != null) {
            StorageInfo other = defaultStorage.info;
            if (other != null && other.chipName().equals(own)) {
                own = fallbackChip();
            }
        }
        return parentPrefix + own;
    }

    private String fallbackChip() {
        return type().toUpperCase() + "-MSI-" + hw.fullName();
    }

    String reason() {
        if (!failure.isEmpty()) {
            return failure;
        }
        if (provider == null && !declines.isEmpty()) {
            return declineText() + (descs.isEmpty() ? "" : "; its " + descs.size()
                    + " vectors keep delivering with the messages in its registers" + deferred());
        }
        if (provider == null) {
            String why = lastProvider.isEmpty() ? "no provider of storage type '" + type() + "' has been bound"
                    : "its provider " + lastProvider + " left (stopped, updated or uninstalled) and no other of storage type '"
                            + type() + "' is bound";
            return why + (descs.isEmpty() ? "." : "; its " + descs.size()
                    + " vectors keep delivering with the messages in its registers" + deferred() + ".");
        }
        // bound: the providers above it that declined, if any ("org.x.a declined: no IMS slots")
        StringBuilder out = new StringBuilder();
        declines.forEach((p, why) -> out.append(out.length() == 0 ? "" : "; ").append(p).append(" declined: ")
                .append(why));
        return out.toString();
    }

    /** Operations that wait for a provider: affinity changes, masks held at the destination. */
    private String deferred() {
        long moves = descs.values().stream().filter(d -> d.pendingAffinity != null && !d.reserved).count();
        long masks = descs.values().stream().filter(d -> d.parentMasked && d.masked).count();
        if (moves == 0 && masks == 0) {
            return "";
        }
        return "; waiting: " + (moves > 0 ? moves + " affinity change" + (moves > 1 ? "s" : "") : "")
                + (moves > 0 && masks > 0 ? ", " : "") + (masks > 0 ? masks + " mask" + (masks > 1 ? "s" : "") + " held at the CPU" : "");
    }
}
