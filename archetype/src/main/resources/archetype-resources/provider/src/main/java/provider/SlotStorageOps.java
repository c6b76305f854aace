package ${package}.provider;

import java.util.Optional;

import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;

/**
 * The provider of storage type {@value #STORAGE_TYPE}: devices with a register block of message slots
 * (README.md, "Register layout"). It knows the device only through its registers, as a driver does: the slot
 * count comes from the capacity register, and a device whose capacity is 0 is declined, so the domain offers it
 * to the next provider of the type.
 */
@Component(service = MsiStorageOps.class, property = MsiStorageOps.STORAGE_TYPE + "=" + SlotStorageOps.STORAGE_TYPE)
public final class SlotStorageOps implements MsiStorageOps {

    /** The storage type served: the devices' {@code HwDevice.storageType()}. */
    public static final String STORAGE_TYPE = "${storageType}";

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        int slots = maxVectors(device);
        if (slots == 0) {
            throw new IllegalArgumentException(device.id() + " has no message slots");
        }
        if (request.vectors() > slots) {
            throw new IllegalArgumentException(device.id() + " has " + slots + " message slots, " + request.vectors()
                    + " vectors requested");
        }
        // adopting a live device (another provider or an earlier instance programmed it) needs nothing: the
        // storage keeps no copy of the registers, and the domain restores every slot through it
        return new SlotStorage(device, slots);
    }

    @Override
    public int maxVectors(HwDevice device) {
        return SlotStorage.capacity(device.region(0));
    }

    @Override
    public Optional<String> decline(HwDevice device) {
        return maxVectors(device) == 0 ? Optional.of("no message slots (its capacity register reads 0)")
                : Optional.empty();
    }
}
