package org.msidomain.hw.internal.platform;

import java.util.List;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.BuiltInKinds;
import org.msidomain.hw.internal.MachinePort;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@value #NAME}: a platform device with a device-specific message table. Properties: {@code slots}
 * (1-2048, default 8), {@code queued} ({@code true}: the table is written only through a command queue,
 * a {@link QueuedDevice}; default {@code false}, memory-mapped slots, a {@link SlotDevice}). One kind for
 * both: they differ only in how software writes the table.
 */
@Component(service = DeviceKind.class, property = { DeviceKind.KIND + "=" + PlatformKind.NAME,
        BuiltInKinds.BUILT_IN + ":Boolean=true" })
public final class PlatformKind implements DeviceKind {

    public static final String NAME = "platform";
    private static final List<String> KEYS = List.of("slots", "queued");

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        MachinePort machine = MachinePort.of(port);
        BuiltInKinds.known(spec, KEYS);
        int slots = BuiltInKinds.integer(spec, "slots", 8, 1, 2048);
        return BuiltInKinds.bool(spec, "queued", false) ? new QueuedDevice(spec.name(), slots, machine)
                : new SlotDevice(spec.name(), slots, machine);
    }
}
