package org.msidomain.hw.internal.hpet;

import java.util.List;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.BuiltInKinds;
import org.msidomain.hw.internal.MachinePort;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@value #NAME}: an HPET block. Properties: {@code timers} (3-32, default 8), {@code fsbTimers} (the
 * timers that can deliver by FSB message, comma-separated, e.g. {@code 0,1}; default none).
 */
@Component(service = DeviceKind.class, property = { DeviceKind.KIND + "=" + HpetKind.NAME,
        BuiltInKinds.BUILT_IN + ":Boolean=true" })
public final class HpetKind implements DeviceKind {

    public static final String NAME = "hpet";
    private static final List<String> KEYS = List.of("timers", "fsbTimers");

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        MachinePort machine = MachinePort.of(port);
        BuiltInKinds.known(spec, KEYS);
        int timers = BuiltInKinds.integer(spec, "timers", 8, 3, 32);
        boolean[] fsb = new boolean[timers];
        String list = spec.property("fsbTimers", "").trim();
        for (String t : list.isEmpty() ? new String[0] : list.split(",")) {
            int n;
            try {
                n = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(spec.name() + ": fsbTimers: '" + t.trim() + "' is not a timer number");
            }
            if (n < 0 || n >= timers) {
                throw new IllegalArgumentException(spec.name() + ": fsbTimers: no timer " + n + " (0-" + (timers - 1) + ")");
            }
            fsb[n] = true;
        }
        return new HpetBlock(spec.name(), timers, fsb, machine);
    }
}
