package org.msidomain.core.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The storage providers the domain has bound, and which one serves a storage type. */
final class ProviderRegistry {

    private final List<ProviderBinding> bound = new CopyOnWriteArrayList<>();

    void add(ProviderBinding binding) {
        bound.add(binding);
    }

    /** Removes the binding of a service by id (identity, not equality of the service object). */
    Optional<ProviderBinding> remove(long serviceId) {
        for (ProviderBinding b : bound) {
            if (b.serviceId() == serviceId) {
                bound.remove(b);
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Replaces the binding of the same service (its properties changed); returns the one replaced. */
    Optional<ProviderBinding> replace(ProviderBinding updated) {
        for (int i = 0; i < bound.size(); i++) {
            ProviderBinding b = bound.get(i);
            if (b.serviceId() == updated.serviceId()) {
                bound.set(i, updated);
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The best provider of a type: highest ranking, then oldest service. */
    Optional<ProviderBinding> best(String type) {
        ProviderBinding best = null;
        for (ProviderBinding b : bound) {
            if (b.serves(type) && (best == null || b.outranks(best))) {
                best = b;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The providers of a type, best first: the order in which a storage is offered to them. */
    List<ProviderBinding> ranked(String type) {
        return bound.stream().filter(b -> b.serves(type))
                .sorted((a, b) -> a.outranks(b) ? -1 : b.outranks(a) ? 1 : 0).toList();
    }

    List<ProviderBinding> all() {
        return List.copyOf(bound);
    }
}
