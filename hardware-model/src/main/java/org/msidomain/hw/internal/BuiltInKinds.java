package org.msidomain.hw.internal;

import java.util.List;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.internal.dmar.DmarKind;
import org.msidomain.hw.internal.hpet.HpetKind;
import org.msidomain.hw.internal.pci.PciKind;
import org.msidomain.hw.internal.platform.PlatformKind;

/**
 * The kinds the hardware model brings: {@code pci}, {@code hpet}, {@code dmar}, {@code platform}. In the
 * framework each is a DS component registering its {@link DeviceKind} service with {@value #BUILT_IN}
 * {@code =true}, which {@link MachineComponent} waits for; outside the framework {@link #services()} lists
 * the same objects.
 */
public final class BuiltInKinds {

    /** Service property of the built-in kinds' services. */
    public static final String BUILT_IN = "msi.device.kind.builtin";
    /** How many there are: the machine component's minimum of built-in kinds. */
    public static final int COUNT = 4;

    private BuiltInKinds() {
    }

    /** The built-in kinds as services, ranking 0, ahead of any registered service of the same ranking. */
    public static List<KindService> services() {
        return List.of(new KindService(PciKind.NAME, new PciKind(), 0, Long.MIN_VALUE),
                new KindService(HpetKind.NAME, new HpetKind(), 0, Long.MIN_VALUE + 1),
                new KindService(DmarKind.NAME, new DmarKind(), 0, Long.MIN_VALUE + 2),
                new KindService(PlatformKind.NAME, new PlatformKind(), 0, Long.MIN_VALUE + 3));
    }

    /** An integer property in {@code [min, max]}, or the default; else one line naming the property. */
    public static int integer(DeviceSpec spec, String key, int defaultValue, int min, int max) {
        String v = spec.properties().get(key);
        if (v == null) {
            return defaultValue;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": '" + v + "' is not an integer");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": " + min + "-" + max + ", not " + n);
        }
        return n;
    }

    /** A boolean property ({@code true}/{@code false}), or the default; else one line naming the property. */
    public static boolean bool(DeviceSpec spec, String key, boolean defaultValue) {
        String v = spec.properties().get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.trim().equalsIgnoreCase("true") || v.trim().equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v.trim());
        }
        throw new IllegalArgumentException(spec.name() + ": " + key + ": '" + v + "' is neither true nor false");
    }

    /** Refuses properties the kind does not know, in one line naming the first. */
    public static void known(DeviceSpec spec, List<String> keys) {
        for (String key : new java.util.TreeSet<>(spec.properties().keySet())) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(spec.name() + ": " + key + ": unknown property of kind '" + spec.kind()
                        + "' (known: " + String.join(", ", keys) + ")");
            }
        }
    }
}
