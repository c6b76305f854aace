package org.msidomain.hw.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The device kinds' services as they come and go, and the machine they serve. A machine is built with the
 * kinds present and attached in one step ({@link #build}), so no change falls between the two: each later
 * change reaches it, in order, on the thread that made it.
 */
final class DeviceKinds {

    private final List<KindService> kinds = new ArrayList<>();
    private SimMachine machine;

    /** A kind's service; one already here (bound through another reference) is taken once. */
    synchronized void add(KindService kind) {
        if (kinds.stream().anyMatch(k -> k.serviceId() == kind.serviceId())) {
            return;
        }
        kinds.add(kind);
        if (machine != null) {
            machine.kindAdded(kind);
        }
    }

    synchronized void remove(long serviceId) {
        for (KindService k : List.copyOf(kinds)) {
            if (k.serviceId() == serviceId) {
                kinds.remove(k);
                if (machine != null) {
                    machine.kindRemoved(k);
                }
            }
        }
    }

    /**
     * A machine of {@code spec} with the kinds present, which from now on hears the changes instead of the
     * one before (that one is about to be shut down and hears nothing more).
     *
     * @throws IllegalArgumentException if the machine cannot be built; the one before stays attached
     */
    synchronized SimMachine build(MachineSpec spec) {
        SimMachine built = new SimMachine(spec, kinds);
        machine = built;
        return built;
    }

    /** No machine hears the changes any more (the component is deactivated). */
    synchronized void detach() {
        machine = null;
    }
}
