package org.msidomain.core.internal;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

import org.msidomain.api.MsiEvents;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.MachineListener;
import org.msidomain.spi.MsiStorage;

/**
 * Devices that join and leave the running machine (their kind's bundle comes or goes). Called on the
 * machine's thread: the work is queued to the binder thread, where it runs under the control lock in order
 * with the binding events. A removed device's handlers are detached at once, before the call returns, so
 * no handler of it runs after the machine's call (the machine tells after the device's last message was
 * delivered); its vectors are freed on the binder thread, as a surprise-removed PCI device's are.
 */
final class DeviceHotplug implements MachineListener {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    private final DeviceTable devices;
    private final StorageBinder binder;
    private final EventPoster events;
    /** Frees a removed storage's vectors in the domain; returns how many. */
    private final ToIntFunction<DeviceState> forget;
    private final Consumer<RuntimeException> stillOwner;
    /** Queues work for the binder thread, to run under the control lock. */
    private final Consumer<Runnable> post;
    /** Since when each device the description lists but the machine lacks has been waiting. */
    private final Map<String, Instant> waitingSince = new ConcurrentHashMap<>();

    DeviceHotplug(DeviceTable devices, StorageBinder binder, EventPoster events,
            ToIntFunction<DeviceState> forget, Consumer<RuntimeException> stillOwner, Consumer<Runnable> post) {
        this.devices = devices;
        this.binder = binder;
        this.events = events;
        this.forget = forget;
        this.stillOwner = stillOwner;
        this.post = post;
    }

    @Override
    public void deviceAdded(HwDevice device) {
        post.accept(() -> added(device));
    }

    @Override
    public void deviceRemoved(HwDevice device) {
        for (DeviceState d : devices.storages(device.id())) {
            d.removed = true; // control operations refuse the device from now on
            for (IrqDesc desc : d.descriptors()) {
                desc.setHandler("", null); // free_irq: a message still on its way finds no action
            }
        }
        post.accept(() -> removed(device));
    }

    /** Since when a device the machine lacks has been waiting: since it left, or since the domain first saw it. */
    Instant waitingSince(String name) {
        return waitingSince.computeIfAbsent(name, n -> Instant.now());
    }

    private void added(HwDevice hw) {
        List<DeviceState> storages = devices.add(hw);
        waitingSince.remove(hw.id());
        if (storages.isEmpty()) {
            return; // already here (it joined while the domain read the machine), or without MSI storage
        }
        LOG.log(Level.INFO, "device {0} joined with storages {1}", hw.id(), hw.storageTypes());
        events.post(MsiEvents.DEVICE_ADDED, Map.of(MsiEvents.DEVICE, hw.id(), MsiEvents.TYPES,
                hw.storageTypes().toArray(String[]::new)));
        binder.onAdded(storages);
    }

    /**
     * A surprise removal: every vector of every storage is freed in the domain without a register write,
     * as the device is gone; then each provider releases its storage, contained: whatever it does (it
     * may throw) changes nothing here.
     */
    private void removed(HwDevice hw) {
        List<DeviceState> gone = devices.remove(hw.id());
        waitingSince.put(hw.id(), Instant.now());
        if (gone.isEmpty()) {
            return;
        }
        int freed = 0;
        for (DeviceState d : gone) {
            freed += forget.applyAsInt(d);
        }
        LOG.log(Level.INFO, "device {0} removed: {1} vectors freed", hw.id(), freed);
        events.post(MsiEvents.DEVICE_REMOVED, Map.of(MsiEvents.DEVICE, hw.id(), MsiEvents.VECTORS, freed));
        for (DeviceState d : gone) {
            ProviderBinding p = d.provider();
            MsiStorage storage = d.storage();
            d.detach();
            if (p != null && storage != null) {
                try {
                    p.ops().releaseStorage(storage);
                } catch (RuntimeException e) {
                    stillOwner.accept(e);
                    LOG.log(Level.WARNING, "provider {0} failed to release the storage of removed {1}: {2}",
                            p.symbolicName(), hw.id(), e.toString());
                }
            }
        }
    }
}
