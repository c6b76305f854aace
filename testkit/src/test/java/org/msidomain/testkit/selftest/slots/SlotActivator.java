package org.msidomain.testkit.selftest.slots;

import java.util.Hashtable;

import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/** Registers the slot provider in the mode its bundle's header names, above the platform's own provider. */
public final class SlotActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        SlotOps.Mode mode = SlotOps.Mode.valueOf(context.getBundle().getHeaders().get(SlotOps.MODE_HEADER));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, "platform");
        props.put(Constants.SERVICE_RANKING, 10);
        context.registerService(MsiStorageOps.class, new SlotOps(mode), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
