package org.msidomain.app.internal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.msidomain.api.BindingState;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * What the main job does to the provider bundles while devices fire: stops and starts each one, and
 * updates one from its jar, waiting (bounded) after each step until the domain has rebound every device.
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

    /** Stops and starts every provider, then updates the first; returns the number of swaps. */
    int swapAll() throws BundleException, InterruptedException {
        List<Bundle> providers = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith(PREFIX)).toList();
        int swaps = 0;
        done = 0;
        planned = providers.isEmpty() ? 0 : providers.size() + 1;
        for (Bundle provider : providers) {
            provider.stop();
            awaitNotServedBy(provider.getSymbolicName());
            provider.start();
            awaitAllBound();
            done = ++swaps;
        }
        if (!providers.isEmpty()) {
            providers.get(0).update();
            awaitAllBound();
            done = ++swaps;
        }
        return swaps;
    }

    private void awaitNotServedBy(String bsn) throws InterruptedException {
        await(() -> domain.devices().stream().noneMatch(d -> d.provider().equals(bsn)), "devices released by " + bsn);
    }

    private void awaitAllBound() throws InterruptedException {
        await(() -> domain.devices().stream().allMatch(d -> d.state() == BindingState.BOUND), "every device bound");
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
