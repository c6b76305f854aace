package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.util.Map;

import org.msidomain.api.MsiEvents;
import org.msidomain.spi.MsiStorageOps;

/**
 * Provider-fault containment: runs provider code for one device so that a provider's fault fails that
 * device only, fails the devices of a provider call that was abandoned, and makes the thread of that call
 * unwind without touching the domain.
 *
 * <p>Threads: called by control operations and binding events holding the control lock (a thread whose
 * provider call was abandoned may have lost it meanwhile: {@link #stillOwner} is the check), and by the
 * watchdog for {@link #failAbandoned}, holding the lock it took over.
 */
final class Containment {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    private final ControlLock control;
    private final ProviderGuard guard;
    private final EventPoster events;
    private final DeviceTable devices;

    Containment(ControlLock control, ProviderGuard guard, EventPoster events, DeviceTable devices) {
        this.control = control;
        this.guard = guard;
        this.events = events;
        this.devices = devices;
    }

    /**
     * A provider call exceeded the bound and was abandoned (the watchdog holds the control lock): every
     * storage of the device the stuck provider serves, or was being offered, is marked failed.
     */
    void failAbandoned(ProviderGuard.Stuck stuck) {
        String reason = "provider " + stuck.provider() + " blocked in " + stuck.operation() + " on " + stuck.device()
                + " for more than " + guard.boundMillis() + " ms; the call was abandoned";
        // the guard knows the device, not the storage: every storage of it the stuck provider serves, or was
        // being offered (a hanging decline), fails
        for (DeviceState d : devices.storages(stuck.device())) {
            ProviderBinding p = d.provider();
            if (p == null || p.symbolicName().equals(stuck.provider())) {
                d.fail(reason);
                events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.STORAGE, d.type(),
                        MsiEvents.PROVIDER, stuck.provider(), MsiEvents.REASON, reason));
            }
        }
        LOG.log(Level.ERROR, reason);
    }

    /**
     * Runs provider code for a device. A refusal ({@link IllegalArgumentException},
     * {@link IllegalStateException}) goes back to the caller as it is; anything else, an Error of the
     * provider's too ({@link ProviderGuard.ProviderError}), is a provider fault:
     * the device is marked failed with the reason (shown by msi:providers and msi:why, posted as an event),
     * its storage is dropped (delivery goes on with the messages in its registers), and the caller gets one
     * line. Other devices and providers are not affected; a provider that binds later restores the device.
     */
    void contain(DeviceState d, Runnable providerWork) {
        try {
            providerWork.run();
        } catch (RuntimeException e) {
            stillOwner(e);
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                throw e; // a refusal
            }
            String who = d.provider() == null ? "the provider" : "provider " + d.provider().symbolicName();
            Throwable fault = e instanceof ProviderGuard.ProviderError ? e.getCause() : e; // named as thrown
            d.fail(who + " failed on " + d.id() + ": " + fault.getClass().getSimpleName()
                    + (fault.getMessage() == null ? "" : ": " + fault.getMessage()));
            LOG.log(Level.ERROR, d.reason());
            events.post(MsiEvents.DEVICE_FAILED, Map.of(MsiEvents.DEVICE, d.id(), MsiEvents.REASON, d.reason()));
            throw new IllegalStateException(d.reason(), e);
        }
    }

    /**
     * Makes sure a failure is handled only by a thread that still owns the control lock: one whose provider
     * call was abandoned unwinds without touching the domain.
     */
    void stillOwner(RuntimeException e) {
        if (!control.isHeldByCurrentThread()) {
            throw guard.abandoned();
        }
    }

    /** Runs a change of a device's storage state between the storage's lock and unlock. */
    void underBusLock(DeviceState d, Runnable change) {
        contain(d, () -> {
            MsiStorageOps ops = d.provider().ops();
            org.msidomain.spi.MsiStorage storage = d.storage();
            ops.lock(storage);
            try {
                change.run();
            } finally {
                ops.unlock(storage);
            }
        });
    }
}
