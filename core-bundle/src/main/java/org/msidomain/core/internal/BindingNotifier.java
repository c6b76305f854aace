package org.msidomain.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;

/**
 * Tells the {@link BindingListener}s of changes of a device's binding (state or serving provider). The
 * changes are found and snapshotted under the control lock, at the end of every control operation and
 * binding event, so they are complete and in order; the calls are queued to the binder thread and run
 * there one at a time, without the lock. A listener therefore never misses a change: its call comes
 * after the change, and whatever it reads then is at least as new.
 */
final class BindingNotifier {

    private static final System.Logger LOG = System.getLogger("org.msidomain.core");

    /** What a listener is told about: the state and the provider service serving the device. */
    private record Binding(BindingState state, long serviceId) {
        static Binding of(DeviceState d) {
            ProviderBinding p = d.provider();
            return new Binding(d.state(), p == null ? -1 : p.serviceId());
        }
    }

    private final List<BindingListener> listeners = new CopyOnWriteArrayList<>();
    /** The binding each device was last published with; under the control lock. */
    private final Map<DeviceState, Binding> published = new IdentityHashMap<>();
    private final Consumer<Runnable> binderThread;
    private final Function<DeviceState, DeviceInfo> snapshot;

    BindingNotifier(Collection<DeviceState> devices, Consumer<Runnable> binderThread,
            Function<DeviceState, DeviceInfo> snapshot) {
        this.binderThread = binderThread;
        this.snapshot = snapshot;
        devices.forEach(d -> published.put(d, Binding.of(d)));
    }

    /** Under the control lock: queues, for every listener, the devices whose binding changed since the last call. */
    void publish(Collection<DeviceState> devices) {
        List<DeviceInfo> changed = changes(devices);
        if (!changed.isEmpty() && !listeners.isEmpty()) {
            List<BindingListener> to = List.copyOf(listeners);
            binderThread.accept(() -> deliver(to, changed));
        }
    }

    /** Under the control lock: a new listener hears every device's binding now, then every later change. */
    void add(BindingListener listener, Collection<DeviceState> devices) {
        publish(devices); // the others hear of what changed before it came
        listeners.add(listener);
        List<DeviceInfo> all = devices.stream().map(snapshot).toList();
        binderThread.accept(() -> deliver(List.of(listener), all));
    }

    /** Under the control lock: a storage of a device that left the machine is not watched any more. */
    void forget(DeviceState device) {
        published.remove(device);
    }

    /** A listener that leaves is not called again once the call in progress, if any, returns. */
    void remove(BindingListener listener) {
        listeners.remove(listener);
    }

    private List<DeviceInfo> changes(Collection<DeviceState> devices) {
        List<DeviceInfo> changed = new ArrayList<>(0);
        for (DeviceState d : devices) {
            Binding now = Binding.of(d);
            if (!now.equals(published.put(d, now))) {
                changed.add(snapshot.apply(d));
            }
        }
        return changed;
    }

    private void deliver(List<BindingListener> to, List<DeviceInfo> changed) {
        for (BindingListener l : to) {
            for (DeviceInfo device : changed) {
                if (!listeners.contains(l)) {
                    break; // unbound meanwhile
                }
                try {
                    l.bindingChanged(device);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "binding listener " + l + " failed on " + device.id() + ": " + e, e);
                }
            }
        }
    }
}
