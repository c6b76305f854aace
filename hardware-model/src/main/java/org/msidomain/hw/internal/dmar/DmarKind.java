package org.msidomain.hw.internal.dmar;

import java.util.List;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.BuiltInKinds;
import org.msidomain.hw.internal.MachinePort;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@value #NAME}: a DMAR (VT-d) unit's event interrupts. Property {@code irtSize}: with interrupt
 * remapping on, the entries of its remapping table (a power of two, 2-65536; one unit at most), absent or
 * 0 for none. The table is the machine's (it routes every device's messages): the machine builds it from
 * the description and the unit reaches it through its port. Property {@code hpetSourceId} ({@code bb:dd.f}):
 * the HPET in the unit's device scope, whose source id the machine gives the HPET's writes (default
 * {@code 00:1f.0} on the remapping unit; see {@code SourceIds}).
 */
@Component(service = DeviceKind.class, property = { DeviceKind.KIND + "=" + DmarKind.NAME,
        BuiltInKinds.BUILT_IN + ":Boolean=true" })
public final class DmarKind implements DeviceKind {

    public static final String NAME = "dmar";
    private static final List<String> KEYS = List.of("irtSize", "hpetSourceId");

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        MachinePort machine = MachinePort.of(port);
        BuiltInKinds.known(spec, KEYS);
        return new DmarUnit(spec.name(), machine, machine.remapping(spec.name()));
    }
}
