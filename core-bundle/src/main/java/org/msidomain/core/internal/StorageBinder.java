package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.msidomain.api.MsiEvents;

/**
 * Which provider serves each storage: the binding events (a provider bound, unbound or re-ranked, a
 * device joined) choose again for the storages they concern. A choice asks the providers of the storage's
 * type, in ranking order, whether they decline the device; the first that does not gets it. A decline is
 * a declared outcome and is remembered with its reason; a provider whose {@code decline} throws is treated
 * as failing on that device and is passed over the same way. Binder thread, under the control lock.
 */
final class StorageBinder {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    private final ProviderRegistry registry;
    private final DeviceTable devices;
    private final EventPoster events;
    /** Restores a storage's live vectors through the provider it was just bound to. */
    private final BiConsumer<DeviceState, ProviderBinding> restore;
    /** Rethrows as abandonment if the thread lost the control lock during a provider call. */
    private final Consumer<RuntimeException> stillOwner;

    StorageBinder(ProviderRegistry registry, DeviceTable devices, EventPoster events,
            BiConsumer<DeviceState, ProviderBinding> restore, Consumer<RuntimeException> stillOwner) {
        this.registry = registry;
        this.devices = devices;
        this.events = events;
        this.restore = restore;
        this.stillOwner = stillOwner;
    }

    void onBind(ProviderBinding binding) {
        registry.add(binding);
        LOG.log(Level.INFO, "provider {0} {1} bound for {2}", binding.symbolicName(), binding.version(),
                binding.types());
        events.post(MsiEvents.PROVIDER_BOUND, Map.of(MsiEvents.PROVIDER, binding.symbolicName(), MsiEvents.VERSION,
                binding.version(), MsiEvents.TYPES, binding.types().toArray(String[]::new)));
        for (DeviceState d : devices.all()) {
            ProviderBinding now = d.provider();
            if (binding.serves(d.type()) && (now == null || binding.outranks(now))) {
                choose(d);
            }
        }
    }

    void onUnbind(long serviceId) {
        ProviderBinding gone = registry.remove(serviceId).orElse(null);
        if (gone == null) {
            return;
        }
        LOG.log(Level.INFO, "provider {0} {1} unbound", gone.symbolicName(), gone.version());
        events.post(MsiEvents.PROVIDER_UNBOUND, Map.of(MsiEvents.PROVIDER, gone.symbolicName(), MsiEvents.VERSION,
                gone.version(), MsiEvents.TYPES, gone.types().toArray(String[]::new)));
        for (DeviceState d : devices.all()) {
            d.forgetDecline(gone.symbolicName());
            if (d.provider() == gone) {
                d.detach();
                choose(d);
            }
        }
    }

    /** Chooses again for every storage the provider serves or served: a ranking change may make another the best. */
    void onUpdate(ProviderBinding updated) {
        ProviderBinding old = registry.replace(updated).orElse(null);
        if (old == null) {
            return;
        }
        if (old.ranking() != updated.ranking()) {
            LOG.log(Level.INFO, "provider {0} {1} ranking {2} -> {3}", updated.symbolicName(), updated.version(),
                    old.ranking(), updated.ranking());
        }
        for (DeviceState d : devices.all()) {
            if (d.provider() == old || updated.serves(d.type()) || old.serves(d.type())) {
                choose(d);
            }
        }
    }

    /** A device joined: its storages get their providers. */
    void onAdded(List<DeviceState> storages) {
        storages.forEach(this::choose);
    }

    /**
     * Chooses the provider of a storage and hands it over if it changed: the same service serving on keeps
     * its storage (and any failure); none left unbinds it, its reason naming the providers that declined.
     */
    void choose(DeviceState d) {
        ProviderBinding pick = firstWilling(d);
        ProviderBinding now = d.provider();
        if (pick == null) {
            if (now != null) {
                d.detach();
            }
        } else if (now != null && now.serviceId() == pick.serviceId()) {
            d.renew(pick);
        } else {
            bindDevice(d, pick);
        }
    }

    /**
     * The best provider of the storage's type that does not decline the device, or null; records the
     * declines. A decline is posted and logged when it is new or its reason changed, not every time the
     * same provider is asked again.
     */
    private ProviderBinding firstWilling(DeviceState d) {
        Map<String, String> before = d.declines();
        Map<String, String> declined = new LinkedHashMap<>();
        ProviderBinding chosen = null;
        for (ProviderBinding candidate : registry.ranked(d.type())) {
            Decline why = declineOf(candidate, d);
            if (why == null) {
                chosen = candidate;
                break;
            }
            declined.put(candidate.symbolicName(), why.reason());
            if (!why.reason().equals(before.get(candidate.symbolicName()))) {
                report(candidate, d, why);
            }
        }
        d.declined(declined);
        return chosen;
    }

    /** Why a provider will not serve a device: its declared reason, or the fault its decline threw. */
    private record Decline(String reason, boolean fault) {
    }

    /** Why a provider declines the device, or null if it serves it; a provider that throws declines by failing. */
    private Decline declineOf(ProviderBinding candidate, DeviceState d) {
        Optional<String> answer;
        try {
            answer = candidate.ops().decline(d.hw);
            if (answer == null) {
                throw new NullPointerException("decline returned null");
            }
        } catch (RuntimeException e) {
            stillOwner.accept(e);
            Throwable fault = e instanceof ProviderGuard.ProviderError ? e.getCause() : e;
            return new Decline("failed in decline: " + fault.getClass().getSimpleName()
                    + (fault.getMessage() == null ? "" : ": " + fault.getMessage()), true);
        }
        return answer.map(why -> new Decline(why.isBlank() ? "(no reason given)" : why, false)).orElse(null);
    }

    private void report(ProviderBinding candidate, DeviceState d, Decline why) {
        Map<String, Object> props = Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.STORAGE, d.type(),
                MsiEvents.PROVIDER, candidate.symbolicName(), MsiEvents.REASON, why.reason());
        if (why.fault()) {
            LOG.log(Level.ERROR, "provider {0} {1} on {2}", candidate.symbolicName(), why.reason(), d.id());
            events.post(MsiEvents.DEVICE_FAILED, props);
        } else {
            LOG.log(Level.INFO, "provider {0} declined {1} ({2}): {3}", candidate.symbolicName(), d.id(), d.type(),
                    why.reason());
            events.post(MsiEvents.DEVICE_DECLINED, props);
        }
    }

    /** Hands a storage to a provider; if it has live vectors, their state is restored through it. */
    private void bindDevice(DeviceState d, ProviderBinding binding) {
        d.detach();
        d.bind(binding);
        if (!d.descs.isEmpty()) {
            restore.accept(d, binding);
        }
    }
}
