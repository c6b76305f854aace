package org.msidomain.provider.platform.internal;

import java.util.Optional;

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
 * queue, bus-locked), in the region the {@code table.region} property names (0 by default; a PCI function
 * with a slot array beside its MSI-X has it in a BAR). A device that describes no such table is declined.
 */
@Component(service = MsiStorageOps.class, configurationPid = PlatformProviderConfiguration.PID,
        property = MsiStorageOps.STORAGE_TYPE + "=platform")
@Designate(ocd = PlatformProviderConfiguration.class)
public final class PlatformStorageOps implements MsiStorageOps {

    /** Device property: the message table's kind, {@code slots} or {@code queue}. */
    static final String TABLE = "table";
    /** Device property: the region (PCI BAR) that holds the table; 0 when absent. */
    static final String REGION = "table.region";

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
        return switch (device.properties().getOrDefault(TABLE, "")) {
            case "slots" -> new SlotStorage(device, slots);
            case "queue" -> new QueuedSlotStorage(device, slots);
            default -> throw new IllegalArgumentException(device.id() + ": unknown message table kind '"
                    + device.properties().get("table") + "' (slots or queue)");
        };
    }

    /**
     * A device of the platform storage type that describes no message table of a kind this provider knows
     * is left to another provider of the type (a device kind may publish its own).
     */
    @Override
    public Optional<String> decline(HwDevice device) {
        String table = device.properties().getOrDefault(TABLE, "");
        if (!table.equals("slots") && !table.equals("queue")) {
            return Optional.of(table.isEmpty() ? "no message table described (property '" + TABLE + "')"
                    : "message table kind '" + table + "' is neither slots nor queue");
        }
        return Optional.empty();
    }

    /** The region of a device that holds its message table: property {@value #REGION}, 0 by default. */
    static int region(HwDevice device) {
        String value = device.properties().getOrDefault(REGION, "0");
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(device.id() + ": " + REGION + " '" + value + "' is not a region number");
        }
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
