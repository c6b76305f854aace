package org.msidomain.testkit.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Waits for binding states, woken by the domain's {@link BindingListener} calls (bounded by a deadline). */
final class Bindings implements BindingListener {

    static final long TIMEOUT_MS = 30_000;

    private final MsiDomain domain;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long changes;
    private final ServiceRegistration<BindingListener> registration;

    Bindings(BundleContext context, MsiDomain domain) {
        this.domain = domain;
        this.registration = context.registerService(BindingListener.class, this, null);
    }

    void close() {
        registration.unregister();
    }

    @Override
    public void bindingChanged(DeviceInfo device) {
        lock.lock();
        try {
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every device of the storage is in the state, served by {@code provider} (any when null);
     * returns the milliseconds it took.
     */
    long awaitAll(List<String> devices, String storage, BindingState state, String provider) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = changes;
            } finally {
                lock.unlock();
            }
            String wrong = firstWrong(devices, storage, state, provider);
            if (wrong == null) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not " + state + (provider == null ? "" : " to " + provider) + " after "
                        + TIMEOUT_MS + " ms: " + wrong);
            }
            lock.lock();
            try {
                if (changes == seen) {
                    // a state the domain reached before it told the listener is seen at the next look
                    changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private String firstWrong(List<String> devices, String storage, BindingState state, String provider) {
        List<DeviceInfo> all = domain.devices();
        for (String id : devices) {
            DeviceInfo info = all.stream().filter(d -> d.id().equals(id) && storage.equals(d.storageType()))
                    .findFirst().orElse(null);
            if (info == null) {
                return id + " is no device of storage type " + storage;
            }
            if (info.state() != state || (provider != null && !provider.equals(info.provider()))) {
                return info.toString();
            }
        }
        return null;
    }
}
