package org.msidomain.hw.internal.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.MachineSpec;

/**
 * Lays the machine's Config Admin configurations over the launcher's description. They become more JSON
 * in the description's tree, so the machine passes the same checks with the same messages as a
 * {@code --machine} file; a refusal names the configuration's PID and key instead of a JSON path.
 *
 * <p>Order: the machine PID's {@code baseDevices}, {@code cpus}, {@code apicIds} and HPET keys, then the
 * factory configurations by PID (a platform device or DMAR unit replaces the description's one of the
 * same name; PCI functions are added after the description's), then the machine PID's
 * {@code interruptRemapping}, which decides over the DMAR configurations.
 */
public final class MachineOverlay {

    public static final String MACHINE_PID = MachineConfiguration.PID;
    public static final List<String> FACTORY_PIDS = List.of(PciDeviceConfiguration.FACTORY_PID,
            PlatformDeviceConfiguration.FACTORY_PID, DmarUnitConfiguration.FACTORY_PID, DeviceConfiguration.FACTORY_PID);
    /** Every configuration of the machine, as a Config Admin filter. */
    public static final String FILTER = "(|(service.pid=" + MACHINE_PID + ")"
            + FACTORY_PIDS.stream().map(f -> "(service.factoryPid=" + f + ")").reduce("", String::concat) + ")";

    /** Where the configurations put something into the tree, by JSON path. */
    private record Origin(String pid, String key) {
    }

    /**
     * What a machine is built from, comparable: an unchanged description means no rebuild.
     *
     * @param tree     the description with the configurations laid over it
     * @param preloaded whether the launcher's {@code --dump}/{@code --sysfs} functions are kept
     */
    public record Description(JsonNode tree, boolean preloaded) {
    }

    private final MachineLoader.Base base;
    private final ObjectNode tree;
    private boolean preloaded = true;
    private final Map<String, Origin> origins = new LinkedHashMap<>();
    private final Set<String> strict = new HashSet<>();
    private final List<String> pids = new ArrayList<>();

    private MachineOverlay(MachineLoader.Base base) {
        this.base = base;
        this.tree = base.tree().deepCopy();
    }

    /**
     * @param configs the machine's configurations (others are passed over)
     * @throws IllegalArgumentException a value that is refused, in one line naming the PID and the key
     */
    public static MachineOverlay of(MachineLoader.Base base, Collection<ConfigRecord> configs) {
        MachineOverlay overlay = new MachineOverlay(base);
        List<ConfigRecord> sorted = new ArrayList<>(configs);
        sorted.sort(Comparator.comparing(ConfigRecord::pid));
        ConfigValues machine = null;
        for (ConfigRecord c : sorted) {
            if (MACHINE_PID.equals(c.pid()) && c.factoryPid() == null) {
                machine = ConfigValues.of(c, ConfigKeys.MACHINE);
                overlay.machine(machine);
            }
        }
        for (ConfigRecord c : sorted) {
            if (PciDeviceConfiguration.FACTORY_PID.equals(c.factoryPid())) {
                overlay.pci(c, ConfigValues.of(c, ConfigKeys.PCI));
            } else if (PlatformDeviceConfiguration.FACTORY_PID.equals(c.factoryPid())) {
                overlay.platform(ConfigValues.of(c, ConfigKeys.PLATFORM));
            } else if (DmarUnitConfiguration.FACTORY_PID.equals(c.factoryPid())) {
                overlay.dmar(ConfigValues.of(c, ConfigKeys.DMAR));
            } else if (DeviceConfiguration.FACTORY_PID.equals(c.factoryPid())) {
                overlay.device(c, ConfigValues.of(c, ConfigKeys.DEVICE, DeviceConfiguration.PROPERTY));
            }
        }
        if (machine != null) {
            overlay.remapping(machine);
        }
        return overlay;
    }

    /** The description the machine is built from. */
    public Description description() {
        return new Description(tree, preloaded);
    }

    /** The PIDs of the configurations laid over the description. */
    public List<String> pids() {
        return List.copyOf(pids);
    }

    /**
     * Checks and builds the machine. A dump named by a configuration must be readable.
     *
     * @throws IllegalArgumentException the description refused, in one line naming the PID and the key
     */
    public MachineSpec build() {
        MachineLoader.Base b = preloaded ? base
                : new MachineLoader.Base(base.name(), base.tree(), base.source(), List.of(), List.of(), base.dir());
        try {
            return MachineLoader.build(base.name() + " with its configuration", tree, b, strict::contains);
        } catch (MachineLoader.Refused refused) {
            throw new IllegalArgumentException(where(refused.path()) + ": " + refused.problem());
        }
    }

    /** The PID and key behind a JSON path: the longest path a configuration wrote that contains it. */
    private String where(String path) {
        String best = null;
        for (String p : origins.keySet()) {
            boolean within = path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "[");
            if (within && (best == null || p.length() > best.length())) {
                best = p;
            }
        }
        if (best == null) {
            return base.name() + " with its configuration: " + path;
        }
        Origin o = origins.get(best);
        String rest = path.substring(best.length());
        String key = !o.key().isEmpty() ? o.key() + (rest.startsWith("[") ? rest : "")
                : rest.startsWith(".") ? rest.substring(1) : rest;
        return o.pid() + (key.isEmpty() ? "" : ": " + key);
    }

    private void machine(ConfigValues m) {
        pids.add(m.pid());
        if (Boolean.FALSE.equals(m.bool("baseDevices"))) {
            for (String devices : List.of("pci", "hpet", "dmar", "platform", "devices")) {
                tree.remove(devices);
            }
            preloaded = false;
        }
        Integer cpus = m.integer("cpus");
        if (cpus != null) {
            tree.put("cpus", cpus);
            tree.remove("apicIds"); // the description's ids were for its own CPU count
            origins.put("$.cpus", new Origin(m.pid(), "cpus"));
        }
        List<Integer> apicIds = m.integers("apicIds");
        if (apicIds != null) {
            ArrayNode ids = tree.putArray("apicIds");
            apicIds.forEach(ids::add);
            origins.put("$.apicIds", new Origin(m.pid(), "apicIds"));
        }
        Integer timers = m.integer("hpetTimers");
        List<Integer> fsb = m.integers("hpetFsbTimers");
        if (timers != null) {
            tree.putObject("hpet").put("timers", timers).putArray("fsbTimers");
            origins.put("$.hpet.timers", new Origin(m.pid(), "hpetTimers"));
        }
        if (fsb != null) {
            ObjectNode hpet = tree.get("hpet") instanceof ObjectNode h ? h : tree.putObject("hpet");
            ArrayNode list = hpet.putArray("fsbTimers");
            fsb.forEach(list::add);
            origins.put("$.hpet.fsbTimers", new Origin(m.pid(), "hpetFsbTimers"));
        }
    }

    private void pci(ConfigRecord c, ConfigValues v) {
        pids.add(v.pid());
        ObjectNode entry = tree.objectNode().put("dump", resolve(c, v.required("dump")));
        if (v.has("slot")) {
            entry.put("slot", v.string("slot"));
        }
        if (v.has("owner")) {
            entry.put("owner", v.string("owner"));
        }
        ArrayNode pci = array("pci");
        String path = "$.pci[" + pci.size() + "]";
        pci.add(entry);
        origins.put(path, new Origin(v.pid(), ""));
        strict.add(path);
    }

    private void platform(ConfigValues v) {
        pids.add(v.pid());
        ObjectNode entry = tree.objectNode().put("name", v.required("name"))
                .put("slots", v.has("slots") ? v.integer("slots") : 8);
        if (Boolean.TRUE.equals(v.bool("queued"))) {
            entry.put("queued", true);
        }
        place("platform", entry, v.pid());
    }

    private void dmar(ConfigValues v) {
        pids.add(v.pid());
        ObjectNode entry = tree.objectNode().put("name", v.required("name"));
        Integer irt = v.integer("irtSize");
        if (irt != null && irt != 0) {
            entry.put("irtSize", irt);
        }
        place("dmar", entry, v.pid());
    }

    /**
     * A {@code devices} entry: the kind properties from the {@code property.KEY} keys (strings, numbers,
     * booleans, as text); a relative {@code property.dump} is resolved as the PCI PID's {@code dump}.
     */
    private void device(ConfigRecord c, ConfigValues v) {
        pids.add(v.pid());
        ObjectNode entry = tree.objectNode().put("kind", v.required("kind")).put("name", v.required("name"));
        if (v.has("requesterId")) {
            entry.put("requesterId", v.string("requesterId"));
        }
        ObjectNode properties = entry.putObject("properties");
        for (String key : v.keys()) {
            if (!key.startsWith(DeviceConfiguration.PROPERTY) || key.length() == DeviceConfiguration.PROPERTY.length()) {
                continue;
            }
            Object value = v.raw(key);
            String property = key.substring(DeviceConfiguration.PROPERTY.length());
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                String text = value.toString();
                properties.put(property, property.equals("dump") && !text.isBlank() ? resolve(c, text.trim()) : text);
            } else {
                throw v.refused(key, "'" + value + "' is not a string, number or boolean");
            }
        }
        int at = place("devices", entry, v.pid());
        properties.fieldNames().forEachRemaining(p -> origins.put("$.devices[" + at + "].properties." + p,
                new Origin(v.pid(), DeviceConfiguration.PROPERTY + p)));
    }

    private void remapping(ConfigValues m) {
        Boolean on = m.bool("interruptRemapping");
        if (on == null) {
            return;
        }
        ArrayNode units = array("dmar");
        for (JsonNode unit : units) {
            ((ObjectNode) unit).remove("irtSize");
        }
        if (!on) {
            return;
        }
        if (units.isEmpty()) {
            units.addObject().put("name", "dmar0");
            origins.put("$.dmar[0]", new Origin(m.pid(), "interruptRemapping"));
        }
        Integer size = m.integer("irtSize");
        ((ObjectNode) units.get(0)).put("irtSize", size == null ? 256 : size);
        origins.put("$.dmar[0].irtSize", new Origin(m.pid(), "irtSize"));
    }

    /**
     * Replaces the description's device of the same name (not one another configuration placed: two
     * configurations of one name are refused by the description's check), else adds it.
     */
    private int place(String kind, ObjectNode entry, String pid) {
        ArrayNode list = array(kind);
        String name = entry.get("name").asText();
        int at = list.size();
        for (int i = 0; i < list.size(); i++) {
            String path = "$." + kind + "[" + i + "]";
            if (name.equals(list.get(i).path("name").asText(null)) && !origins.containsKey(path)) {
                at = i;
                break;
            }
        }
        if (at < list.size()) {
            list.set(at, entry);
        } else {
            list.add(entry);
        }
        origins.put("$." + kind + "[" + at + "]", new Origin(pid, ""));
        return at;
    }

    private ArrayNode array(String kind) {
        return tree.get(kind) instanceof ArrayNode a ? a : tree.putArray(kind);
    }

    /**
     * A dump path relative to the {@code .cfg} file FileInstall read it from (its property
     * {@code felix.fileinstall.filename}), else to the working directory.
     */
    private static String resolve(ConfigRecord c, String dump) {
        Path path = Path.of(dump);
        if (path.isAbsolute()) {
            return dump;
        }
        Object file = c.properties().get("felix.fileinstall.filename");
        if (file != null) {
            try {
                Path cfg = Path.of(URI.create(file.toString()));
                return cfg.resolveSibling(path).toAbsolutePath().normalize().toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // not a file URL: the working directory, as for configurations from elsewhere
            }
        }
        return path.toAbsolutePath().normalize().toString();
    }
}
