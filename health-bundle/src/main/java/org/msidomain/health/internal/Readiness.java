package org.msidomain.health.internal;

import java.util.List;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;

/**
 * Whether every device of the machine is bound, and which are not. A device with several storages is bound
 * when every storage is; a device the description lists whose kind has no model yet ({@code WAITING}) is
 * not bound.
 *
 * @param bound   the number of bound devices
 * @param total   the number of devices with MSI storage, and of described devices waiting for their kind
 * @param waiting the ids of the devices not bound (unbound, failed or waiting), in the domain's order
 */
record Readiness(int bound, int total, List<String> waiting) {

    Readiness {
        waiting = List.copyOf(waiting);
    }

    static Readiness of(List<DeviceInfo> devices) {
        java.util.Map<String, Boolean> bound = new java.util.LinkedHashMap<>(); // a row per storage: by device
        devices.forEach(d -> bound.merge(d.id(), d.state() == BindingState.BOUND, Boolean::logicalAnd));
        List<String> waiting = bound.entrySet().stream().filter(e -> !e.getValue()).map(java.util.Map.Entry::getKey)
                .toList();
        return new Readiness(bound.size() - waiting.size(), bound.size(), waiting);
    }

    boolean ready() {
        return waiting.isEmpty();
    }

    /** {@code ready: yes (15/15 devices bound)} or {@code ready: no (14/15 devices bound; waiting: 00:04.0)}. */
    String line() {
        return "ready: " + (ready() ? "yes" : "no") + " (" + bound + "/" + total + " devices bound"
                + (ready() ? "" : "; waiting: " + String.join(", ", waiting)) + ")";
    }
}
