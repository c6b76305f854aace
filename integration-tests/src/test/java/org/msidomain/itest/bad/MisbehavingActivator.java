package org.msidomain.itest.bad;

import java.util.Dictionary;
import java.util.Hashtable;

import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * Registers the misbehaving provider for the platform storage type, ranked above the real one so it
 * takes the devices over. A plain activator: the test bundle stays free of DS metadata.
 */
public final class MisbehavingActivator implements BundleActivator {

    private MisbehavingProvider provider;

    @Override
    public void start(BundleContext context) {
        provider = new MisbehavingProvider(context.getBundle().getHeaders().get(MisbehavingProvider.MODE_HEADER));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, "platform");
        props.put(Constants.SERVICE_RANKING, 100);
        context.registerService(MsiStorageOps.class, provider, props);
    }

    @Override
    public void stop(BundleContext context) {
        provider.stopped.countDown();
    }
}
