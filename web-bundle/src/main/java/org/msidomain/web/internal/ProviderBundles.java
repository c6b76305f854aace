package org.msidomain.web.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Finds the provider bundles among the installed ones by what they declare (an {@code osgi.service}
 * capability for {@code MsiStorageOps}, which bnd writes for a DS component), so that a provider that is
 * stopped still has its row on the page.
 */
final class ProviderBundles {

    static final String STORAGE_OPS = "org.msidomain.spi.MsiStorageOps";

    private ProviderBundles() {
    }

    static List<ProviderBundle> installed(BundleContext context) {
        List<ProviderBundle> found = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() != Bundle.UNINSTALLED && declaresStorageOps(b)) {
                found.add(new ProviderBundle(b.getBundleId(), String.valueOf(b.getSymbolicName()),
                        b.getVersion().toString(), stateName(b.getState())));
            }
        }
        return found;
    }

    private static boolean declaresStorageOps(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return false;
        }
        for (BundleCapability c : revision.getDeclaredCapabilities("osgi.service")) {
            Object classes = c.getAttributes().get("objectClass");
            if (classes instanceof List<?> list ? list.contains(STORAGE_OPS) : STORAGE_OPS.equals(classes)) {
                return true;
            }
        }
        return false;
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "uninstalled";
        };
    }
}
