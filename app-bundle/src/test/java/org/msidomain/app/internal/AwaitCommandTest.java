package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.Machine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceRegistration;

/** msi:await against a fake domain and bundle context: a state reached before, during and never. */
class AwaitCommandTest {

    private volatile List<DeviceInfo> devices = List.of(device("pci", BindingState.UNBOUND));
    private volatile List<ProviderInfo> providers = List.of();
    private volatile int bundleState = Bundle.RESOLVED;
    private volatile BindingListener binding;
    private volatile BundleListener bundles;
    private final CountDownLatch listening = new CountDownLatch(1);
    private final CountDownLatch bundleListening = new CountDownLatch(1);
    private final List<String> unregistered = new ArrayList<>();

    private final MsiDomain domain = (MsiDomain) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { MsiDomain.class }, (proxy, method, args) -> switch (method.getName()) {
                case "devices" -> devices;
                case "providers" -> providers;
                case "awaitSettled" -> true;
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final Machine machine = (Machine) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { Machine.class }, (proxy, method, args) -> switch (method.getName()) {
                case "device" -> Optional.empty();
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final Bundle provider = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { Bundle.class }, (proxy, method, args) -> switch (method.getName()) {
                case "getSymbolicName" -> "org.msidomain.provider.pci";
                case "getState" -> bundleState;
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { BundleContext.class }, (proxy, method, args) -> switch (method.getName()) {
                case "getBundles" -> new Bundle[] { provider };
                case "addBundleListener" -> {
                    bundles = (BundleListener) args[0];
                    bundleListening.countDown();
                    yield null;
                }
                case "removeBundleListener" -> {
                    unregistered.add("bundles");
                    yield null;
                }
                case "registerService" -> {
                    binding = (BindingListener) args[1];
                    listening.countDown();
                    yield Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceRegistration.class },
                            (p, m, a) -> {
                                if (m.getName().equals("unregister")) {
                                    unregistered.add("binding");
                                }
                                return null;
                            });
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final AwaitCommand command = new AwaitCommand(domain, machine, context);

    private static DeviceInfo device(String type, BindingState state) {
        return new DeviceInfo("00:04.0", type, state, state == BindingState.BOUND ? "org.msidomain.provider.pci" : "", 0,
                "");
    }

    @Test
    void aStateReachedBeforeReturnsAtOnce() throws Exception {
        String line = command.await("device", "00:04.0", "UNBOUND", "10s");
        assertTrue(line.matches("00:04\\.0: UNBOUND after \\d+ ms"), line);
        assertEquals(List.of("binding", "bundles"), unregistered, "the listeners are gone after the wait");
    }

    @Test
    void aStateReachedDuringTheWaitWakesIt() throws Exception {
        CompletableFuture<String> waited = CompletableFuture.supplyAsync(() -> call("device", "00:04.0", "BOUND", "60s"));
        assertTrue(listening.await(30, TimeUnit.SECONDS));
        devices = List.of(device("pci", BindingState.BOUND));
        binding.bindingChanged(devices.get(0));
        String line = waited.get(30, TimeUnit.SECONDS);
        assertTrue(line.matches("00:04\\.0: BOUND after \\d+ ms"), line);
    }

    @Test
    void aStateNeverReachedFailsWithOneLineAfterTheTimeout() {
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> command.await("device", "00:04.0", "BOUND", "50ms"));
        assertEquals("00:04.0 still UNBOUND after 50ms (wanted BOUND)", e.getMessage());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited the whole timeout");
        assertEquals(List.of("binding", "bundles"), unregistered);
    }

    @Test
    void aDeviceIsInAStateWhenEveryStorageIs() {
        devices = List.of(device("pci", BindingState.BOUND), device("platform", BindingState.UNBOUND));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> command.await("device", "00:04.0", "BOUND", "20ms"));
        assertEquals("00:04.0 still BOUND+UNBOUND after 20ms (wanted BOUND)", e.getMessage());
    }

    @Test
    void aProviderBoundDuringTheWait() throws Exception {
        CompletableFuture<String> waited = CompletableFuture
                .supplyAsync(() -> call("provider", "org.msidomain.provider.pci", "bound", "60s"));
        assertTrue(listening.await(30, TimeUnit.SECONDS));
        providers = List.of(new ProviderInfo(7, "org.msidomain.provider.pci", "0.1.0", List.of("pci"), "active", 0, 0));
        bundles.bundleChanged(new BundleEvent(BundleEvent.STARTED, provider));
        assertTrue(waited.get(30, TimeUnit.SECONDS).matches("org\\.msidomain\\.provider\\.pci: bound after \\d+ ms"));
    }

    @Test
    void aBundleStartedDuringTheWaitAndOneNeverUninstalled() throws Exception {
        CompletableFuture<String> waited = CompletableFuture
                .supplyAsync(() -> call("bundle", "org.msidomain.provider.pci", "active", "60s"));
        assertTrue(bundleListening.await(30, TimeUnit.SECONDS)); // a bundle wait registers no binding listener
        bundleState = Bundle.ACTIVE;
        bundles.bundleChanged(new BundleEvent(BundleEvent.STARTED, provider));
        assertTrue(waited.get(30, TimeUnit.SECONDS).matches("org\\.msidomain\\.provider\\.pci: active after \\d+ ms"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> command.await("bundle", "org.msidomain.provider.pci", "uninstalled", "10ms"));
        assertEquals("org.msidomain.provider.pci still active after 10ms (wanted uninstalled)", e.getMessage());
    }

    @Test
    void badArgumentsGetTheUsageLine() {
        String usage = "; usage: " + AwaitCommand.USAGE;
        assertEquals("usage: " + AwaitCommand.USAGE,
                assertThrows(IllegalArgumentException.class, () -> command.await("device", "00:04.0")).getMessage());
        assertEquals("'disk' is none of device, provider, bundle" + usage, assertThrows(IllegalArgumentException.class,
                () -> command.await("disk", "00:04.0", "BOUND")).getMessage());
        assertEquals("STATE 'bound' is none of BOUND, UNBOUND, FAILED, WAITING" + usage, assertThrows(
                IllegalArgumentException.class, () -> command.await("device", "00:04.0", "bound")).getMessage());
        assertEquals("TIMEOUT '10' is not a duration such as 10s or 500ms" + usage, assertThrows(
                IllegalArgumentException.class, () -> command.await("device", "00:04.0", "BOUND", "10")).getMessage());
        assertEquals("unknown device nvme9", assertThrows(IllegalArgumentException.class,
                () -> command.await("device", "nvme9", "BOUND")).getMessage());
        assertEquals(List.of(), unregistered, "nothing was registered for a refused command");
    }

    private String call(String... args) {
        try {
            return command.await(args);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
