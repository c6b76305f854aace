package org.msidomain.app.internal;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code msi:await}: waits, with a timeout, until a device, a provider or a bundle reaches a state, so a
 * {@code -c} script can stop, start or drop in a provider and go on once the domain followed. Named
 * {@code await}, not {@code wait}: Gogo finds a command's method by name and would also match
 * {@code Object.wait}. Woken by the domain's {@link BindingListener} whiteboard and by bundle events, never
 * by polling.
 */
@Component(service = AwaitCommand.class, property = { "osgi.command.scope=msi", "osgi.command.function=await" })
public final class AwaitCommand {

    static final String USAGE = "msi:await device DEVICE BOUND|UNBOUND|FAILED|WAITING [TIMEOUT] | "
            + "provider SYMBOLIC-NAME bound|unbound [TIMEOUT] | "
            + "bundle SYMBOLIC-NAME installed|resolved|active|uninstalled [TIMEOUT]";

    static final List<String> KINDS = List.of("device", "provider", "bundle");
    static final List<String> PROVIDER_STATES = List.of("bound", "unbound");
    static final List<String> BUNDLE_STATES = List.of("installed", "resolved", "active", "uninstalled");

    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private final MsiDomain domain;
    private final Machine machine;
    private final BundleContext context;

    @Activate
    public AwaitCommand(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine,
            BundleContext context) {
        this.domain = domain;
        this.machine = machine;
        this.context = context;
    }

    @Descriptor("wait until a device, a provider or a bundle reaches a state (TIMEOUT like 10s or 500ms, default 30s)")
    public String await(@Descriptor("device|provider|bundle NAME STATE [TIMEOUT]") String... args)
            throws InterruptedException {
        Args a = Args.of(USAGE, args, 3, 4);
        String kind = a.text(0);
        String name = a.text(1);
        String wanted = a.text(2);
        long timeout = a.size() > 3 ? timeoutMillis(a, 3) : DEFAULT_TIMEOUT_MS;
        StateWait wait = new StateWait();
        StateWait.Probe probe;
        String who;
        switch (kind) {
            case "device" -> {
                if (Arrays.stream(BindingState.values()).noneMatch(s -> s.name().equals(wanted))) {
                    throw a.refused("STATE '" + wanted + "' is none of BOUND, UNBOUND, FAILED, WAITING");
                }
                who = deviceId(name);
                probe = left -> deviceState(who, left);
            }
            case "provider" -> {
                if (!PROVIDER_STATES.contains(wanted)) {
                    throw a.refused("STATE '" + wanted + "' is none of bound, unbound");
                }
                who = name;
                probe = left -> providerState(name, left);
            }
            case "bundle" -> {
                if (!BUNDLE_STATES.contains(wanted)) {
                    throw a.refused("STATE '" + wanted + "' is none of installed, resolved, active, uninstalled");
                }
                who = name;
                probe = left -> bundleState(context.getBundles(), name);
            }
            default -> throw a.refused("'" + kind + "' is none of device, provider, bundle");
        }
        // listen first, then look: a change between the two is not missed
        BundleListener bundles = e -> wait.changed();
        context.addBundleListener(bundles);
        ServiceRegistration<BindingListener> bindings = kind.equals("bundle") ? null
                : context.registerService(BindingListener.class, d -> wait.changed(), null);
        try {
            StateWait.Outcome o = wait.await(probe, reached(kind, wanted), timeout);
            if (!o.reached()) {
                throw new IllegalStateException(who + " still " + o.state() + " after " + a.text(3, "30s")
                        + " (wanted " + wanted + ")");
            }
            return who + ": " + o.state() + " after " + o.millis() + " ms";
        } finally {
            if (bindings != null) {
                bindings.unregister();
            }
            context.removeBundleListener(bundles);
        }
    }

    /**
     * A device is in a state when every storage is ({@code BOUND+UNBOUND} is neither); a bundle name when any
     * bundle of that name is ({@code resolved+active} is both).
     */
    static Predicate<String> reached(String kind, String wanted) {
        return kind.equals("bundle") ? seen -> Arrays.asList(seen.split("\\+")).contains(wanted) : wanted::equals;
    }

    static long timeoutMillis(Args a, int i) {
        String text = a.text(i).trim();
        long unit = text.endsWith("ms") ? 1 : text.endsWith("s") ? 1000 : 0;
        String digits = text.substring(0, text.length() - (unit == 1 ? 2 : unit == 1000 ? 1 : 0));
        try {
            long value = Long.parseLong(digits);
            if (unit == 0 || value < 0 || digits.startsWith("+")) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw a.refused("TIMEOUT '" + text + "' is not a duration such as 10s or 500ms");
        }
    }

    private String deviceId(String name) {
        return machine.device(name).map(HwDevice::id)
                .or(() -> domain.devices().stream().map(DeviceInfo::id).filter(name::equals).findFirst())
                .orElseThrow(() -> new IllegalArgumentException("unknown device " + name));
    }

    /** Every storage's state, joined by {@code +} when they differ; {@code absent} when the device is gone. */
    private String deviceState(String id, long remainingMillis) throws InterruptedException {
        domain.awaitSettled(remainingMillis);
        return joined(domain.devices().stream().filter(d -> d.id().equals(id)).map(d -> d.state().name()).toList(),
                "absent");
    }

    private String providerState(String symbolicName, long remainingMillis) throws InterruptedException {
        domain.awaitSettled(remainingMillis);
        return domain.providers().stream().anyMatch(p -> p.symbolicName().equals(symbolicName)) ? "bound" : "unbound";
    }

    /** The states of the bundles of that name ({@code active}, {@code resolved+active}), or {@code uninstalled}. */
    static String bundleState(Bundle[] all, String symbolicName) {
        return joined(Arrays.stream(all).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .map(b -> stateName(b.getState())).toList(), "uninstalled");
    }

    /** A name of the bundle states reached when any bundle of the name is in it. */
    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "uninstalled";
        };
    }

    private static String joined(List<String> states, String none) {
        List<String> distinct = states.stream().distinct().toList();
        return distinct.isEmpty() ? none : distinct.stream().collect(Collectors.joining("+"));
    }
}
