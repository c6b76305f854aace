package org.example.ntb.device;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.osgi.service.component.annotations.Component;

/** The device kind {@code ntb}: non-transparent bridges whose MSI storage is on the peer. */
@Component(property = DeviceKind.KIND + "=ntb")
public class NtbKind implements DeviceKind {

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        return new NtbBridge(spec, NtbConfig.from(spec), port);
    }
}
