package org.msidomain.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.msidomain.hw.HwDevice;

/**
 * The devices of the machine by id, each as its storages (the default one first), in the order they
 * joined. Devices join and leave while the domain runs (their kind's bundle comes and goes), so the
 * table is copy-on-write: changed under the control lock, read by queries without it.
 */
final class DeviceTable {

    private volatile Map<String, List<DeviceState>> byId = Map.of();
    private volatile List<DeviceState> all = List.of();

    /** Under the control lock: a device joins with one state per storage; none if it has no MSI storage. */
    List<DeviceState> add(HwDevice hw) {
        List<String> types = hw.storageTypes();
        if (types.isEmpty() || byId.containsKey(hw.id())) {
            return List.of();
        }
        List<DeviceState> storages = new ArrayList<>(types.size());
        DeviceState first = new DeviceState(hw);
        storages.add(first);
        for (String type : types.subList(1, types.size())) {
            storages.add(new DeviceState(hw, type, first));
        }
        Map<String, List<DeviceState>> next = new LinkedHashMap<>(byId);
        next.put(hw.id(), List.copyOf(storages));
        publish(next);
        return storages;
    }

    /** Under the control lock: a device leaves; its storages, or an empty list if it was not here. */
    List<DeviceState> remove(String id) {
        if (!byId.containsKey(id)) {
            return List.of();
        }
        Map<String, List<DeviceState>> next = new LinkedHashMap<>(byId);
        List<DeviceState> gone = next.remove(id);
        publish(next);
        return gone;
    }

    private void publish(Map<String, List<DeviceState>> next) {
        byId = next;
        all = next.values().stream().flatMap(List::stream).toList();
    }

    /** Every storage of every device: a device's default storage first, then its secondary ones. */
    List<DeviceState> all() {
        return all;
    }

    /** A device's storages, default first; empty if the domain does not know the device. */
    List<DeviceState> storages(String id) {
        return byId.getOrDefault(id, List.of());
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }
}
