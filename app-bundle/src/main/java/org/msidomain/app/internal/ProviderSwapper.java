package org.msidomain.app.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.msidomain.api.BindingState;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * What the main job does to the provider bundles while devices fire: stops and starts each one, and
 * updates one from its jar, waiting (bounded) after each step until the domain has rebound every device.
 * Bundles are told apart by id, not by symbolic name: two versions of one provider may be installed at
 * once (a fixed version dropped into the deploy folder beside the embedded one), and while one of them is
 * stopped the other serves its devices.
 */
final class ProviderSwapper {

    static final String PREFIX = "org.msidomain.provider.";
    private static final long TIMEOUT_MS = 10_000;

    private final BundleContext context;
    private final MsiDomain domain;
    /** For a progress line: swaps done and planned in the current {@link #swapAll}. */
    volatile int done;
    volatile int planned;

    ProviderSwapper(BundleContext context, MsiDomain domain) {
        this.context = context;
        this.domain = domain;
    }

    /**
     * Stops and starts every active provider bundle, then updates the first that serves a device;
     * returns the number of swaps. A bundle uninstalled meanwhile (its jar removed from the deploy folder)
     * is passed over.
     */
    int swapAll() throws BundleException, InterruptedException {
        List<Bundle> providers = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith(PREFIX)
                        && b.getState() == Bundle.ACTIVE)
                .sorted(Comparator.comparingLong(Bundle::getBundleId)).toList();
        int swaps = 0;
        done = 0;
        planned = providers.isEmpty() ? 0 : providers.size() + 1;
        for (Bundle provider : providers) {
            try {
                provider.stop();
                awaitReleasedBy(provider);
                provider.start();
            } catch (IllegalStateException uninstalled) {
                continue; // FileInstall removed it: nothing of it to swap
            }
            awaitAllBound();
            done = ++swaps;
        }
        Bundle updated = serving(providers);
        if (updated != null) {
            try {
                updated.update();
            } catch (IllegalStateException uninstalled) {
                return swaps;
            }
            awaitAllBound();
            done = ++swaps;
        }
        return swaps;
    }

    /** The first still installed provider bundle that serves a device (an idle version is not updated), or null. */
    private Bundle serving(List<Bundle> providers) {
        List<ProviderInfo> bound = domain.providers();
        List<Bundle> installed = providers.stream().filter(b -> b.getState() != Bundle.UNINSTALLED).toList();
        return installed.stream().filter(b -> bound.stream().anyMatch(p -> p.bundleId() == b.getBundleId() && p.devices() > 0))
                .findFirst().orElse(installed.isEmpty() ? null : installed.get(0));
    }

    private void awaitReleasedBy(Bundle provider) throws InterruptedException {
        long id = provider.getBundleId();
        await(() -> domain.providers().stream().noneMatch(p -> p.bundleId() == id && p.devices() > 0),
                "devices released by " + provider.getSymbolicName() + " " + provider.getVersion() + " (bundle " + id + ")");
    }

    private void awaitAllBound() throws InterruptedException {
        await(() -> domain.devices().stream().allMatch(d -> d.state() == BindingState.BOUND
                || d.state() == BindingState.WAITING), "every device bound");
    }

    private void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (true) {
            domain.awaitSettled(TIMEOUT_MS);
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + TIMEOUT_MS + " ms: " + what);
            }
            Thread.sleep(5); // a bundle's services come and go on framework threads
        }
    }
}
