package org.msidomain.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told by the domain when a device's binding changes (whiteboard: register it as a service). The domain
 * calls it once for every device when it takes the listener, with the state as of then, and afterwards
 * after every operation of the domain (a provider bound or unbound, a driver's call that failed the
 * device) that changed a device's {@link BindingState} or the provider serving it, with the device as the
 * operation left it. A look at {@link MsiDomain#devices()} from the call sees that state or a newer one,
 * so a listener that looks on every call misses nothing.
 *
 * <p>Calls come one at a time, in the order of the changes, on the domain's binding thread, never while
 * the domain holds its lock and never on the interrupt path. A listener must return quickly (hand work to
 * its own thread) and must not wait for the domain ({@link MsiDomain#awaitSettled} would wait for itself).
 *
 * <p>A DS component that references the domain should register its listener with
 * {@code BundleContext.registerService} rather than provide it as its own service: the domain references
 * the listeners, and SCR logs such a cycle as an error when both activate.
 *
 * @since 1.2
 */
@ConsumerType
@FunctionalInterface
public interface BindingListener {

    /**
     * A device's binding changed.
     *
     * @param device the device just after the change; {@link DeviceInfo#state()} and
     *               {@link DeviceInfo#provider()} are the new ones
     */
    void bindingChanged(DeviceInfo device);
}
