package org.msidomain.core.internal;

import java.util.function.Consumer;

import org.msidomain.hw.HwDevice;
import org.msidomain.hw.MachineListener;

/**
 * Devices that join and leave the running machine (their kind's bundle comes or goes). Called on the
 * machine's thread: the work is queued to the binder thread, where it runs under the control lock in order
 * with the binding events. A removed device's handlers are detached at once, before the call returns, so
 * no handler of it runs after the machine's call (the machine tells after the device's last message was
 * delivered); its vectors are freed on the binder thread.
 */
final class DeviceHotplug implements MachineListener {

    private final DeviceTable devices;
    private final Consumer<HwDevice> added;
    private final Consumer<HwDevice> removed;

    /**
     * @param added   queues the joining of a device
     * @param removed queues the removal of a device
     */
    DeviceHotplug(DeviceTable devices, Consumer<HwDevice> added, Consumer<HwDevice> removed) {
        this.devices = devices;
        this.added = added;
        this.removed = removed;
    }

    @Override
    public void deviceAdded(HwDevice device) {
        added.accept(device);
    }

    @Override
    public void deviceRemoved(HwDevice device) {
        for (DeviceState d : devices.storages(device.id())) {
            d.removed = true; // control operations refuse the device from now on
            for (IrqDesc desc : d.descriptors()) {
                desc.setHandler("", null); // free_irq: a message still on its way finds no action
            }
        }
        removed.accept(device);
    }
}
