package org.msidomain.hw.internal;

import java.util.Comparator;

import org.msidomain.hw.DeviceKind;

/**
 * A registered {@link DeviceKind} service: its kind name, the object, its {@code service.ranking} and its
 * {@code service.id}. Of several services of one kind the highest ranking, then the lowest id, creates.
 */
public record KindService(String name, DeviceKind kind, int ranking, long serviceId) {

    /** Best first: highest ranking, then the oldest service (the OSGi service order). */
    static final Comparator<KindService> BEST_FIRST = Comparator.comparingInt(KindService::ranking).reversed()
            .thenComparingLong(KindService::serviceId);
}
