package org.msidomain.provider.platform.internal;

import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The platform storage provider: devices with their own message table. The variant is chosen once from
 * the device's {@code table} property: {@code slots} (memory-mapped slots) or {@code queue} (a command
 * queue, bus-locked).
 */
@Component(service = MsiStorageOps.class, configurationPid = PlatformProviderConfiguration.PID,
        property = MsiStorageOps.STORAGE_TYPE + "=platform")
@Designate(ocd = PlatformProviderConfiguration.class)
public final class PlatformStorageOps implements MsiStorageOps {

    /**
     * Its only option, the ranking, is a service property: SCR updates the registration in place (no
     * re-activation, no unbinding) and the domain chooses the provider again.
     */
    @Modified
    void modified() {
        // nothing of its own to change
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        int slots = maxVectors(device);
        if (request.vectors() > slots) {
            throw new IllegalArgumentException(device.id() + " has " + slots + " message slots, " + request.vectors()
                    + " vectors requested");
        }
        return switch (device.properties().getOrDefault("table", "")) {
            case "slots" -> new SlotStorage(device, slots);
            case "queue" -> new QueuedSlotStorage(device, slots);
            default -> throw new IllegalArgumentException(device.id() + ": unknown message table kind '"
                    + device.properties().get("table") + "' (slots or queue)");
        };
    }

    @Override
    public int maxVectors(HwDevice device) {
        try {
            return Integer.parseInt(device.properties().getOrDefault("slots", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(device.id() + " does not say how many message slots it has");
        }
    }
}
