package org.msidomain.health.internal;

import java.util.List;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;

/**
 * Whether every device of the machine is bound, and which are not.
 *
 * @param bound   the number of bound devices
 * @param total   the number of devices with MSI storage
 * @param waiting the ids of the devices not bound (unbound or failed), in the domain's order
 */
record Readiness(int bound, int total, List<String> waiting) {

    Readiness {
        waiting = List.copyOf(waiting);
    }

    static Readiness of(List<DeviceInfo> devices) {
        List<String> waiting = devices.stream().filter(d -> d.state() != BindingState.BOUND).map(DeviceInfo::id).toList();
        return new Readiness(devices.size() - waiting.size(), devices.size(), waiting);
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
