package org.msidomain.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.Machine;

/**
 * The domain's read-only views: irq numbers by device and index, irq and device and provider infos, when
 * a device was last served, the counters.
 *
 * <p>Threads: called without the control lock, from any thread (commands, the REST endpoint, the binding
 * notifier on the binder thread): the device and irq tables are written under the control lock and read
 * without it.
 */
final class DomainViews {

    private final Machine machine;
    private final DeviceTable devices;
    private final IrqTable irqs;
    private final OnlineCpus online;
    private final VectorTable table;
    private final ProviderRegistry registry;
    /** Knows since when a device waits for its kind or has been leaving. */
    private final DeviceHotplug hotplug;
    private final DomainLookup lookup;

    DomainViews(Machine machine, DeviceTable devices, IrqTable irqs, OnlineCpus online, VectorTable table,
            ProviderRegistry registry, DeviceHotplug hotplug, DomainLookup lookup) {
        this.machine = machine;
        this.devices = devices;
        this.irqs = irqs;
        this.online = online;
        this.table = table;
        this.registry = registry;
        this.hotplug = hotplug;
        this.lookup = lookup;
    }

    int irqOf(String device, int index) {
        IrqDesc desc = lookup.device(device).descs.get(index);
        if (desc == null) {
            throw new IllegalArgumentException("device " + device + " has no vector at index " + index);
        }
        return desc.irq;
    }

    int irqOf(String device, String storage, int index) {
        DeviceState d = lookup.storage(device, storage);
        IrqDesc desc = d.descs.get(index);
        if (desc == null) {
            throw new IllegalArgumentException("device " + device + " storage " + storage + " has no vector at index "
                    + index);
        }
        return desc.irq;
    }

    Optional<IrqInfo> irq(int irq) {
        return Optional.ofNullable(irqs.get(irq)).map(this::info);
    }

    List<IrqInfo> irqs() {
        return irqs.values().stream().map(this::info).toList();
    }

    List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        devices.all().forEach(d -> out.add(deviceInfo(d)));
        for (org.msidomain.hw.WaitingDevice w : machine.waiting()) {
            if (!devices.contains(w.name())) { // not one whose removal is still queued
                hotplug.waitingSince(w.name());
                // its storage types are unknown until its kind's model creates it: the type column is empty
                out.add(new DeviceInfo(w.name(), "", BindingState.WAITING, "", 0, w.reason()));
            }
        }
        return out;
    }

    DeviceInfo deviceInfo(DeviceState d) {
        ProviderBinding p = d.provider();
        return new DeviceInfo(d.id(), d.type(), d.state(), p == null ? "" : p.symbolicName(), d.descs.size(), d.reason());
    }

    Optional<Instant> unboundSince(String device) {
        List<DeviceState> storages = lookup.storagesOf(device);
        if (storages.isEmpty() || storages.get(0).removed) {
            // waiting for its kind, or leaving (its removal is queued): not served since it left or was first seen
            if (!storages.isEmpty() || machine.waiting().stream().anyMatch(w -> w.name().equals(device))) {
                return Optional.of(hotplug.waitingSince(device));
            }
            throw new IllegalArgumentException("unknown device " + device);
        }
        // the earliest of its storages: the device has not been served whole since then
        return storages.stream().map(DeviceState::unservedSince).flatMap(Optional::stream).min(Instant::compareTo);
    }

    List<ProviderInfo> providers() {
        List<ProviderInfo> out = new ArrayList<>();
        for (ProviderBinding b : registry.all()) {
            java.util.Set<String> served = new java.util.HashSet<>(); // a device once, whatever storages of it b serves
            java.util.Set<String> failed = new java.util.HashSet<>();
            int vectorCount = 0;
            for (DeviceState d : devices.all()) {
                if (d.provider() == b) {
                    served.add(d.id());
                    vectorCount += d.descs.size();
                    if (d.state() == BindingState.FAILED) {
                        failed.add(d.id());
                    }
                }
            }
            int f = failed.size();
            out.add(new ProviderInfo(b.bundleId(), b.symbolicName(), b.version(), b.types(),
                    f == 0 ? "active" : "failed on " + f + " device" + (f > 1 ? "s" : ""), served.size(),
                    vectorCount));
        }
        return out;
    }

    int cpuCount() {
        return online.cpus();
    }

    long mergedWhileMasked() {
        return devices.all().stream().mapToLong(d -> d.merged.sum()).sum();
    }

    long spurious(int cpu) {
        online.check(cpu);
        return table.spurious(cpu);
    }

    private IrqInfo info(IrqDesc desc) {
        int cpus = online.cpus();
        long[] counts = desc.historyCopy(cpus);
        int cpu = desc.cpu;
        if (!desc.reserved) {
            counts[cpu] += table.count(cpu, desc.vector);
        }
        List<Long> perCpu = new ArrayList<>(cpus);
        for (long c : counts) {
            perCpu.add(c);
        }
        return new IrqInfo(desc.irq, desc.device.id(), desc.index, desc.device.chipName(), cpu, desc.vector,
                desc.msg(), desc.masked, desc.isPending(), perCpu, desc.action());
    }
}
