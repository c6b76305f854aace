package org.msidomain.app.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * What may come next on a command line of the {@code msi:*} commands, and of the framework commands that
 * take a bundle id: the options of each command, then by position device ids, irq numbers and
 * {@code DEVICE/INDEX} forms, CPU numbers, MSI indexes, storage variants (and the storage types of a device
 * with several storages) and provider bundle ids, as the machine and the domain are now. The shell's completer (JLine) shows them; nothing here knows JLine.
 */
final class CommandCompletion {

    /** One thing that may be typed; {@code complete}: a space follows it. */
    record Choice(String value, String description, boolean complete) {
    }

    private enum Arg { DEVICE, PCI_SLOT, IRQ, CPU, INDEX, VARIANT, STORAGE, BUNDLE, NONE }

    /** The options of a command, with whether each takes a value (and what). */
    private record Spec(Map<String, Arg> options, List<Arg> positions) {
    }

    private static final Map<String, Spec> MSI = new TreeMap<>(Map.ofEntries(
            Map.entry("lspci", new Spec(Map.of("-v", Arg.NONE, "-vv", Arg.NONE, "-s", Arg.PCI_SLOT), List.of())),
            Map.entry("interrupts", new Spec(Map.of("--watch", Arg.NONE, "-n", Arg.NONE, "--count", Arg.NONE), List.of())),
            Map.entry("top", new Spec(Map.of("-d", Arg.NONE, "--delay", Arg.NONE, "-n", Arg.NONE, "--iterations", Arg.NONE),
                    List.of())),
            Map.entry("devices", new Spec(Map.of(), List.of())),
            Map.entry("providers", new Spec(Map.of(), List.of())),
            Map.entry("health", new Spec(Map.of(), List.of())),
            Map.entry("why", new Spec(Map.of(), List.of(Arg.DEVICE))),
            Map.entry("alloc", new Spec(Map.of("--spread", Arg.NONE), List.of(Arg.DEVICE, Arg.NONE, Arg.VARIANT))),
            Map.entry("free", new Spec(Map.of(), List.of(Arg.DEVICE))),
            Map.entry("affinity", new Spec(Map.of(), List.of(Arg.IRQ, Arg.CPU))),
            Map.entry("mask", new Spec(Map.of(), List.of(Arg.IRQ))),
            Map.entry("cpu", new Spec(Map.of(), List.of(Arg.NONE, Arg.CPU))),
            Map.entry("cpus", new Spec(Map.of(), List.of())),
            Map.entry("unmask", new Spec(Map.of(), List.of(Arg.IRQ))),
            Map.entry("fire", new Spec(Map.of("--storage", Arg.STORAGE), List.of(Arg.DEVICE, Arg.INDEX, Arg.NONE))),
            Map.entry("write", new Spec(Map.of("--from", Arg.DEVICE), List.of(Arg.NONE, Arg.NONE)))));

    /** Options that take a value: the value is the next word. */
    private static final Set<String> VALUED = Set.of("-s", "--from", "--storage", "--watch", "-n", "--count", "-d", "--delay",
            "--iterations", "--spread");

    /** Gogo's framework commands (scope felix) whose argument is a bundle id. */
    private static final Set<String> BUNDLE_COMMANDS = Set.of("start", "stop", "update", "uninstall", "refresh",
            "resolve", "headers", "inspect");

    private final MsiDomain domain;
    private final BundleContext context;

    CommandCompletion(MsiDomain domain, BundleContext context) {
        this.domain = domain;
        this.context = context;
    }

    /**
     * The choices for the word after {@code before} (the command, then the complete words typed after it), or
     * null when the command is none of these (the shell's own completion applies).
     */
    List<Choice> next(List<String> before, String partial) {
        if (before.isEmpty()) {
            return null;
        }
        String command = before.get(0);
        if (command.startsWith("msi:")) {
            command = command.substring(4);
        } else if (command.startsWith("felix:") && BUNDLE_COMMANDS.contains(command.substring(6))) {
            return bundles();
        } else if (BUNDLE_COMMANDS.contains(command)) {
            return bundles();
        }
        if (command.equals("await")) {
            return await(before.subList(1, before.size()));
        }
        Spec spec = MSI.get(command);
        if (spec == null) {
            return null;
        }
        List<String> args = before.subList(1, before.size());
        String last = args.isEmpty() ? "" : args.get(args.size() - 1);
        if (VALUED.contains(last) && spec.options().containsKey(last)) {
            return values(spec.options().get(last), args);
        }
        if (partial.startsWith("-") && !spec.options().isEmpty()) {
            List<Choice> options = new ArrayList<>();
            spec.options().keySet().stream().sorted().forEach(o -> options.add(new Choice(o, null, true)));
            return options;
        }
        List<String> positional = positional(args);
        int position = positional.size();
        return position < spec.positions().size() ? values(spec.positions().get(position), positional, args) : List.of();
    }

    /** {@code msi:await KIND NAME STATE [TIMEOUT]}: the name and the states depend on the kind. */
    private List<Choice> await(List<String> args) {
        List<Choice> out = new ArrayList<>();
        String kind = args.isEmpty() ? "" : args.get(0);
        switch (args.size()) {
            case 0 -> AwaitCommand.KINDS.forEach(k -> out.add(new Choice(k, null, true)));
            case 1 -> {
                if (kind.equals("device")) {
                    out.addAll(values(Arg.DEVICE, List.of()));
                } else if (kind.equals("provider")) {
                    domain.providers().forEach(p -> out.add(new Choice(p.symbolicName(), "bound", true)));
                    providerBundles().stream().filter(b -> out.stream().noneMatch(c -> c.value().equals(b)))
                            .forEach(b -> out.add(new Choice(b, "unbound", true)));
                } else if (kind.equals("bundle")) {
                    java.util.Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                            .filter(java.util.Objects::nonNull).distinct().sorted()
                            .forEach(b -> out.add(new Choice(b, null, true)));
                }
            }
            case 2 -> {
                List<String> states = switch (kind) {
                    case "device" -> java.util.Arrays.stream(org.msidomain.api.BindingState.values()).map(Enum::name).toList();
                    case "provider" -> AwaitCommand.PROVIDER_STATES;
                    case "bundle" -> AwaitCommand.BUNDLE_STATES;
                    default -> List.of();
                };
                states.forEach(st -> out.add(new Choice(st, null, true)));
            }
            default -> { }
        }
        return out;
    }

    private List<String> providerBundles() {
        return java.util.Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                .filter(b -> b != null && b.startsWith("org.msidomain.provider.")).distinct().sorted().toList();
    }

    /** The words that are not options nor option values. */
    private static List<String> positional(List<String> args) {
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (VALUED.contains(a)) {
                i++;
            } else if (!a.startsWith("-") || a.matches("-\\d+")) {
                positional.add(a);
            }
        }
        return positional;
    }

    private List<Choice> values(Arg arg, List<String> earlier) {
        return values(arg, earlier, earlier);
    }

    /** {@code earlier}: the positional words before; {@code typed}: every word, options included. */
    private List<Choice> values(Arg arg, List<String> earlier, List<String> typed) {
        List<Choice> out = new ArrayList<>();
        switch (arg) {
            case DEVICE -> domain.devices().stream().filter(distinct(DeviceInfo::id)) // a device once, by its default storage
                    .forEach(d -> out.add(new Choice(d.id(), describe(d), true)));
            case PCI_SLOT -> domain.devices().stream().filter(d -> d.storageType().equals("pci"))
                    .forEach(d -> out.add(new Choice(d.id(), describe(d), true)));
            case IRQ -> {
                List<IrqInfo> irqs = domain.irqs();
                Map<String, String> named = new java.util.LinkedHashMap<>();
                irqs.forEach(i -> named.put(Integer.toString(i.irq()), name(i)));
                irqs.forEach(i -> out.add(new Choice(Integer.toString(i.irq()), named.get(Integer.toString(i.irq())), true)));
                irqs.forEach(i -> out.add(new Choice(named.get(Integer.toString(i.irq())), "irq " + i.irq(), true)));
            }
            case STORAGE -> domain.devices().stream().map(DeviceInfo::storageType).filter(t -> !t.isEmpty()).distinct()
                    .forEach(t -> out.add(new Choice(t, "storage type", true)));
            case CPU -> {
                for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
                    out.add(new Choice(Integer.toString(cpu), "CPU" + cpu, true));
                }
            }
            case INDEX -> {
                String device = earlier.isEmpty() ? "" : earlier.get(0);
                String storage = storageOption(typed);
                domain.irqs().stream().filter(i -> i.device().equals(device))
                        .filter(i -> storage.isEmpty() ? defaultStorage(i) : storage.equals(storageOf(i)))
                        .forEach(i -> out.add(new Choice(Integer.toString(i.index()), "irq " + i.irq(), true)));
            }
            case VARIANT -> {
                String device = earlier.isEmpty() ? "" : earlier.get(0);
                List<DeviceInfo> storages = domain.devices().stream().filter(d -> d.id().equals(device)).toList();
                if (!storages.isEmpty() && storages.get(0).storageType().equals("pci")) { // variants of the default storage
                    out.add(new Choice("msi", "PCI MSI capability", true));
                    out.add(new Choice("msix", "PCI MSI-X table", true));
                }
                if (storages.size() > 1) { // a device with several storages: each may be named
                    storages.forEach(d -> out.add(new Choice(d.storageType(), "storage " + d.storageType() + ", "
                            + d.state().name().toLowerCase(), true)));
                }
            }
            case BUNDLE -> out.addAll(bundles());
            case NONE -> { }
        }
        return out;
    }

    private static java.util.function.Predicate<DeviceInfo> distinct(java.util.function.Function<DeviceInfo, String> key) {
        Set<String> seen = new java.util.HashSet<>();
        return d -> seen.add(key.apply(d));
    }

    private static String describe(DeviceInfo d) {
        return d.storageType() + ", " + d.state().name().toLowerCase() + (d.vectors() > 0 ? ", " + d.vectors() + " vectors" : "");
    }

    /** The storage providers' bundles: those bound to the domain and the project's provider bundles. */
    private List<Choice> bundles() {
        Map<Long, String> ids = new TreeMap<>();
        for (ProviderInfo p : domain.providers()) {
            ids.put(p.bundleId(), p.symbolicName());
        }
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName();
            if (bsn != null && bsn.startsWith("org.msidomain.provider.")) {
                ids.put(b.getBundleId(), bsn);
            }
        }
        List<Choice> out = new ArrayList<>();
        ids.forEach((id, bsn) -> out.add(new Choice(Long.toString(id), bsn, true)));
        return out;
    }

    /** DEVICE/INDEX for a default storage's vector, DEVICE/STORAGE/INDEX for a secondary one's (as IrqRef reads). */
    private String name(IrqInfo i) {
        return i.device() + "/" + (defaultStorage(i) ? "" : storageOf(i) + "/") + i.index();
    }

    private String storageOf(IrqInfo i) {
        try {
            return domain.storageOf(i.irq());
        } catch (IllegalArgumentException freed) {
            return ""; // freed since the list was read
        }
    }

    private boolean defaultStorage(IrqInfo i) {
        String storage = storageOf(i);
        return storage.isEmpty() || domain.devices().stream().filter(d -> d.id().equals(i.device())).findFirst()
                .map(d -> d.storageType().equals(storage)).orElse(true);
    }

    /** The value of {@code --storage} among the words typed, or empty. */
    private static String storageOption(List<String> words) {
        int at = words.indexOf("--storage");
        return at >= 0 && at + 1 < words.size() ? words.get(at + 1) : "";
    }
}
