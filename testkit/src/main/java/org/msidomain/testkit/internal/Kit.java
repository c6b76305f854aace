package org.msidomain.testkit.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.msidomain.api.BindingState;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * What the checks share in one framework: the platform, the provider and devices under test, and the steps
 * several checks take (allocating the vectors, waiting for the bindings, binding an ops service above the
 * provider).
 */
final class Kit {

    /** Vectors per device the firing checks use at most (bounds the run, not the capacity check). */
    static final int FIRING_VECTORS = 16;

    final BundleContext context;
    final MsiDomain domain;
    final Machine machine;
    final Subject subject;
    final Bindings bindings;
    final Checks.Ack ack;
    /** The storage infos of the devices, once learned (through the wrapper). */
    private Map<String, StorageInfo> infos;

    Kit(BundleContext context, MsiDomain domain, Machine machine, Checks.Ack ack) {
        this.context = context;
        this.domain = domain;
        this.machine = machine;
        this.ack = ack;
        this.subject = new Subject(context, domain);
        this.bindings = new Bindings(context, domain);
    }

    HwDevice hw(String id) {
        return machine.device(id).orElseThrow(() -> new AssertionError("no device " + id + " in the machine"));
    }

    /** Waits until every device is bound to {@code bsn}; returns the ms it took. */
    long awaitBound(String bsn) throws InterruptedException {
        return bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
    }

    /** Waits until no device is bound; returns the ms it took. */
    long awaitUnbound() throws InterruptedException {
        return bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
    }

    void freeAll() {
        for (String d : subject.devices) {
            if (domain.devices().stream().anyMatch(i -> i.id().equals(d) && i.vectors() > 0)) {
                domain.free(d);
            }
        }
    }

    /** Allocates and requests up to {@code max} vectors on every device (its capacity if smaller). */
    Vectors requestAll(int max) {
        Vectors vectors = new Vectors(domain, subject.storage);
        for (String d : subject.devices) {
            vectors.request(hw(d), Math.min(max, capacity(hw(d))), ack);
        }
        return vectors;
    }

    /** The capacity of the storage under test on a device, as the domain's provider of that storage says. */
    int capacity(HwDevice hw) {
        return domain.maxVectors(hw.id(), subject.storage);
    }

    /** Registers ops for the storage under test ranked above every provider, so the domain binds to them. */
    ServiceRegistration<MsiStorageOps> registerAbove(MsiStorageOps ops) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, subject.storage);
        props.put(Constants.SERVICE_RANKING, Integer.MAX_VALUE);
        return context.registerService(MsiStorageOps.class, ops, props);
    }

    /** The storage infos of the devices as the provider creates them for the firing checks' allocation. */
    Map<String, StorageInfo> infos() throws Exception {
        if (infos == null) {
            Map<String, StorageInfo> learned = new LinkedHashMap<>();
            withSpy(spy -> {
                Vectors v = requestAll(FIRING_VECTORS);
                learned.putAll(spy.infos);
                freeAll();
                Check.require(v.all.size() > 0, "no vectors");
            });
            for (String d : subject.devices) {
                Check.require(learned.containsKey(d), d + ": the provider created no storage");
            }
            infos = learned;
        }
        return infos;
    }

    interface SpyBody {
        void run(SpyOps spy) throws Exception;
    }

    /** Runs with the wrapper bound above the provider; the provider serves the devices again after. */
    void withSpy(SpyBody body) throws Exception {
        Bundle p = subject.provider();
        ServiceReference<MsiStorageOps> ref = opsOf(p);
        MsiStorageOps ops = context.getService(ref);
        ServiceRegistration<MsiStorageOps> reg = registerAbove(new SpyOps(ops));
        try {
            awaitBound(context.getBundle().getSymbolicName());
            body.run((SpyOps) context.getService(reg.getReference()));
        } finally {
            context.ungetService(reg.getReference());
            freeAll();
            reg.unregister();
            context.ungetService(ref);
            awaitBound(p.getSymbolicName());
        }
    }

    private ServiceReference<MsiStorageOps> opsOf(Bundle p) throws Exception {
        for (ServiceReference<MsiStorageOps> ref : context.getServiceReferences(MsiStorageOps.class, null)) {
            if (ref.getBundle() != null && ref.getBundle().getBundleId() == p.getBundleId()) {
                Object types = ref.getProperty(MsiStorageOps.STORAGE_TYPE);
                if (subject.storage.equals(types) || (types instanceof String[] a && List.of(a).contains(subject.storage))) {
                    return ref;
                }
            }
        }
        throw new AssertionError(p.getSymbolicName() + " registers no MsiStorageOps of type " + subject.storage);
    }
}
