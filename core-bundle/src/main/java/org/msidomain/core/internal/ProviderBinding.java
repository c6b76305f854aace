package org.msidomain.core.internal;

import java.util.List;
import java.util.Map;

import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.Constants;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A bound {@link MsiStorageOps} service with the facts the domain shows and ranks by. Taken from the
 * service reference at bind time, so nothing is asked of the provider's bundle later.
 */
record ProviderBinding(MsiStorageOps ops, long serviceId, int ranking, long bundleId, String symbolicName,
        String version, List<String> types) {

    /**
     * A binding from the service's properties; the bundle's name and version come from the framework
     * when there is one, else from the optional properties {@code msi.provider.name} and
     * {@code msi.provider.version} (plain-Java wiring in tests and benchmarks).
     */
    static ProviderBinding of(MsiStorageOps ops, Map<String, ?> props, BundleContext context) {
        long bundleId = props.get(Constants.SERVICE_BUNDLEID) instanceof Long id ? id : -1;
        Bundle bundle = context == null || bundleId < 0 ? null : context.getBundle(bundleId);
        Object ranking = props.get(Constants.SERVICE_RANKING);
        if (ranking != null && !(ranking instanceof Integer)) {
            // the framework ranks by Integer only; a .cfg file gives strings
            System.getLogger("org.msidomain.core").log(System.Logger.Level.WARNING, "{0}: service.ranking ''{1}'' is "
                    + "not an Integer and counts as 0 (a .cfg file holds strings: use a .config file with "
                    + "service.ranking=I\"10\")", text(props.get("service.pid"), "a provider"), ranking);
        }
        return new ProviderBinding(ops, serviceId(props), ranking instanceof Integer r ? r : 0, bundleId,
                bundle != null ? bundle.getSymbolicName() : text(props.get("msi.provider.name"), "unknown"),
                bundle != null ? bundle.getVersion().toString() : text(props.get("msi.provider.version"), "0.0.0"),
                types(props.get(MsiStorageOps.STORAGE_TYPE)));
    }

    /** The same binding whose calls run within the guard's bounded wait. */
    ProviderBinding guardedBy(ProviderGuard guard) {
        return new ProviderBinding(new GuardedOps(ops, guard, symbolicName), serviceId, ranking, bundleId, symbolicName,
                version, types);
    }

    private static String text(Object value, String otherwise) {
        return value == null ? otherwise : value.toString();
    }

    static long serviceId(Map<String, ?> props) {
        if (props.get(Constants.SERVICE_ID) instanceof Long id) {
            return id;
        }
        throw new IllegalArgumentException("service properties without " + Constants.SERVICE_ID);
    }

    private static List<String> types(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] a) {
            return List.of(a);
        }
        if (property instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    boolean serves(String type) {
        return types.contains(type);
    }

    /** Higher ranking wins; on a tie the older service (lower id), as the OSGi registry orders them. */
    boolean outranks(ProviderBinding other) {
        return ranking != other.ranking ? ranking > other.ranking : serviceId < other.serviceId;
    }
}
