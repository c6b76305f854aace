package org.msidomain.itest.kind;

import java.util.Dictionary;
import java.util.Hashtable;

import org.msidomain.hw.DeviceKind;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Registers the {@value SlotArrayKind#KIND} device kind. A plain activator: the bundle carries no DS metadata. */
public final class SlotArrayActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(DeviceKind.KIND, SlotArrayKind.KIND);
        context.registerService(DeviceKind.class, new SlotArrayKind(), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service: the machine removes the kind's devices
    }
}
