package ${package}.device;

import java.util.Set;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.osgi.service.component.annotations.Component;

/**
 * Device kind {@value #NAME}: a device with one register block (region 0) of message slots, whose messages
 * are served by storage type {@value #STORAGE_TYPE}. Machine description entry:
 * {@code {"kind": "${kind}", "name": "dev0", "properties": {"slots": 8}}}; {@code slots} is 0-{@value #MAX_SLOTS}
 * (default {@value #DEFAULT_SLOTS}). A device with 0 slots exists but can send nothing; its provider declines it.
 */
@Component(service = DeviceKind.class, property = DeviceKind.KIND + "=" + SlotDeviceKind.NAME)
public final class SlotDeviceKind implements DeviceKind {

    /** The kind's name, as the machine description's {@code "kind"} says it. */
    public static final String NAME = "${kind}";
    /** The storage type of the kind's devices: the provider serving it registers this {@code msi.storage.type}. */
    public static final String STORAGE_TYPE = "${storageType}";
    /** The one property of an entry. */
    public static final String SLOTS = "slots";
    static final int DEFAULT_SLOTS = 4;
    static final int MAX_SLOTS = 2048;

    private static final Set<String> KEYS = Set.of(SLOTS);

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        for (String key : spec.properties().keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(spec.name() + ": unknown property '" + key + "' (kind " + NAME
                        + " knows: " + SLOTS + ")");
            }
        }
        return new SlotDevice(spec.name(), STORAGE_TYPE, slots(spec), spec.properties(), port);
    }

    private static int slots(DeviceSpec spec) {
        String value = spec.property(SLOTS, String.valueOf(DEFAULT_SLOTS));
        int slots;
        try {
            slots = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.name() + ": " + SLOTS + ": '" + value + "' is not an integer");
        }
        if (slots < 0 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException(spec.name() + ": " + SLOTS + ": " + slots + " is out of range (0-"
                    + MAX_SLOTS + ")");
        }
        return slots;
    }
}
