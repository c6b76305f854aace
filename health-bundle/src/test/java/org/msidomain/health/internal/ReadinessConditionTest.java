package org.msidomain.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.condition.Condition;

/**
 * The readiness condition follows the domain's binding notifications alone (the poll is set to a minute):
 * a device that binds after the last look makes it ready at once, one that fails withdraws it, and a
 * change told while a look is reading the bindings is looked at again.
 */
class ReadinessConditionTest {

    private static final long MINUTE = 60_000;

    /** The domain's devices as a test sets them; a look may be held inside {@code devices()} at the gate. */
    private volatile List<DeviceInfo> devices = List.of(device(BindingState.UNBOUND));
    private volatile CountDownLatch gate;
    private final CountDownLatch inLook = new CountDownLatch(1);
    private final BlockingQueue<Integer> looks = new LinkedBlockingQueue<>();
    /** "registered" and "unregistered", as the condition's registration goes. */
    private final BlockingQueue<String> condition = new LinkedBlockingQueue<>();
    private ReadinessCondition readiness;
    /** The listener the condition registered for the domain to call. */
    private volatile BindingListener listener;

    private final MsiDomain domain = (MsiDomain) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { MsiDomain.class }, (proxy, method, args) -> switch (method.getName()) {
                case "devices" -> {
                    List<DeviceInfo> seen = devices;
                    CountDownLatch g = gate;
                    if (g != null) {
                        gate = null;
                        inLook.countDown();
                        g.await(); // held after it read the bindings
                    }
                    looks.add(looks.size() + 1);
                    yield seen;
                }
                case "awaitSettled" -> true;
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
                if (!method.getName().equals("registerService")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                if (args[0] == BindingListener.class) {
                    listener = (BindingListener) args[1];
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceRegistration.class },
                            (p, m, a) -> null);
                }
                assertEquals(Condition.class, args[0]);
                condition.add("registered");
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceRegistration.class },
                        (p, m, a) -> {
                            if (m.getName().equals("unregister")) {
                                condition.add("unregistered");
                                return null;
                            }
                            throw new UnsupportedOperationException(m.getName());
                        });
            });

    private static DeviceInfo device(BindingState state) {
        return new DeviceInfo("00:04.0", "pci", state, state == BindingState.BOUND ? "pci-provider" : "", 0, "");
    }

    private static java.util.Map<String, Object> poll(long millis) {
        return java.util.Map.of("poll.ms", millis);
    }

    @AfterEach
    void stop() throws InterruptedException {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
        readiness.deactivate();
    }

    private void awaitLooks(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            assertTrue(looks.poll(10, TimeUnit.SECONDS) != null, "a look within 10 s");
        }
    }

    private void assertCondition(String expected) throws InterruptedException {
        assertEquals(expected, condition.poll(10, TimeUnit.SECONDS), "the condition within 10 s");
    }

    @Test
    void aDeviceBoundAfterTheLastLookIsToldAndMakesItReadyWithoutThePoll() throws InterruptedException {
        readiness = new ReadinessCondition(domain, context, poll(MINUTE));
        awaitLooks(1); // the first look: not ready
        assertTrue(condition.isEmpty());

        devices = List.of(device(BindingState.BOUND)); // the domain bound it after the look...
        listener.bindingChanged(device(BindingState.BOUND)); // ...and tells so
        assertCondition("registered");

        devices = List.of(device(BindingState.FAILED));
        listener.bindingChanged(device(BindingState.FAILED));
        assertCondition("unregistered");
    }

    @Test
    void aChangeToldWhileALookReadsTheBindingsIsLookedAtAgain() throws InterruptedException {
        readiness = new ReadinessCondition(domain, context, poll(MINUTE));
        awaitLooks(1);
        CountDownLatch release = new CountDownLatch(1);
        gate = release;
        listener.bindingChanged(device(BindingState.UNBOUND)); // a look that reads "unbound" and is held
        assertTrue(inLook.await(10, TimeUnit.SECONDS));

        devices = List.of(device(BindingState.BOUND));
        listener.bindingChanged(device(BindingState.BOUND)); // told while that look is in progress
        release.countDown();
        assertCondition("registered");
        assertTrue(condition.isEmpty());
    }
}
