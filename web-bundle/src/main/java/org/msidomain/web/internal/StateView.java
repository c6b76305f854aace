package org.msidomain.web.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;

/** Builds the {@link State} document from the domain's snapshots (queries only: nothing here blocks the domain). */
final class StateView {

    private StateView() {
    }

    /**
     * @param installed the provider bundles of the framework, bound or not
     * @param rates     the rate sampler's last window
     * @param clock     the monotonic clock in nanoseconds, read right after the counts
     */
    static State snapshot(MsiDomain domain, List<ProviderBundle> installed, RateSampler.Window rates, LongSupplier clock) {
        List<IrqInfo> irqInfos = domain.irqs();
        double time = clock.getAsLong() / 1e6;
        int cpus = domain.cpuCount();
        List<State.Irq> irqs = new ArrayList<>(irqInfos.size());
        for (IrqInfo i : irqInfos) {
            irqs.add(new State.Irq(i.irq(), i.device(), i.index(), i.chip(), i.cpu(), i.vector(), i.masked(), i.action(),
                    i.counts(), rates.rates().get(i.irq()), affinity(domain, i.irq())));
        }
        List<State.Device> devices = new ArrayList<>();
        for (DeviceInfo d : domain.devices()) {
            devices.add(new State.Device(d.id(), d.storageType(), d.state().name(), d.provider(), d.vectors(), d.reason()));
        }
        List<Long> spurious = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            spurious.add(domain.spurious(cpu));
        }
        return new State(time, rates.millis(), cpus, providers(domain.providers(), installed), devices, irqs, spurious);
    }

    /** An irq's affinity mask, or empty if it was freed since the snapshot. */
    private static List<Integer> affinity(MsiDomain domain, int irq) {
        try {
            return List.copyOf(domain.affinityMask(irq));
        } catch (IllegalArgumentException freed) {
            return List.of();
        }
    }

    /** The bound providers as {@code msi:providers} lists them, then the provider bundles not bound now. */
    static List<State.Provider> providers(List<ProviderInfo> bound, List<ProviderBundle> installed) {
        List<State.Provider> rows = new ArrayList<>();
        Set<Long> boundIds = new HashSet<>();
        for (ProviderInfo p : bound) {
            boundIds.add(p.bundleId());
            rows.add(new State.Provider(p.bundleId(), p.symbolicName(), p.version(), p.storageTypes(), p.state(), true,
                    p.devices(), p.vectors()));
        }
        for (ProviderBundle b : installed) {
            if (!boundIds.contains(b.bundleId())) {
                rows.add(new State.Provider(b.bundleId(), b.symbolicName(), b.version(), List.of(),
                        "not bound (bundle " + b.state() + ")", false, 0, 0));
            }
        }
        rows.sort(Comparator.comparingLong(State.Provider::bundleId));
        return rows;
    }
}
