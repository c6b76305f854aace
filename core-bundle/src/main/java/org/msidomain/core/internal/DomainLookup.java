package org.msidomain.core.internal;

import java.util.List;

import org.msidomain.hw.Machine;

/**
 * Finds what a caller names: a device by its id in either form, its storages, an irq by its number. A
 * device that left (its removal still queued) is gone for callers at once.
 *
 * <p>Threads: any; control operations call it holding the control lock, queries without it (the tables
 * are safe to read without it).
 */
final class DomainLookup {

    private final Machine machine;
    private final DeviceTable devices;
    private final IrqTable irqs;

    DomainLookup(Machine machine, DeviceTable devices, IrqTable irqs) {
        this.machine = machine;
        this.devices = devices;
        this.irqs = irqs;
    }

    /** A device's default storage, by its id in either form ({@code 00:04.0}, {@code 0000:00:04.0}). */
    DeviceState device(String id) {
        List<DeviceState> storages = storagesOf(id);
        if (storages.isEmpty() || storages.get(0).removed) {
            throw new IllegalArgumentException("unknown device " + id);
        }
        return storages.get(0);
    }

    /** One storage of a device, by its storage type ({@code pci}, {@code platform}, ...). */
    DeviceState storage(String id, String type) {
        DeviceState d = device(id);
        List<DeviceState> storages = devices.storages(d.id());
        return storages.stream().filter(s -> s.type().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("device " + id + " has no storage " + type
                        + " (it has " + String.join(", ", storages.stream().map(DeviceState::type).toList()) + ")"));
    }

    /** A device's storages by its id in either form; empty if unknown (a removed one's until its removal ran). */
    List<DeviceState> storagesOf(String id) {
        List<DeviceState> storages = devices.storages(id);
        return !storages.isEmpty() ? storages
                : machine.device(id).map(hw -> devices.storages(hw.id())).orElse(List.of());
    }

    IrqDesc desc(int irq) {
        IrqDesc desc = irqs.get(irq);
        if (desc == null || desc.device.removed) { // a removed device's irqs are gone for callers at once
            throw new IllegalArgumentException("no irq " + irq);
        }
        return desc;
    }
}
