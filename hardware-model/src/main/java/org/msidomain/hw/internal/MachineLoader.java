package org.msidomain.hw.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.internal.pci.DumpFormatException;
import org.msidomain.hw.internal.pci.DumpReader;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;
import org.msidomain.hw.internal.pci.SysfsReader;

/**
 * Decides what machine to build from the launcher's framework properties: {@code msi.machine.file} (a
 * JSON description), else {@code msi.machine.dumps} and {@code msi.machine.sysfs}, else the embedded
 * machine of {@code msi.machine.arch} (the default machine for x86 or none). A dump that cannot be read is left out with a one-line problem naming it; the rest
 * of the machine boots. A file that is not a dump at all ({@link DumpFormatException#notADump()}) refuses
 * the description, as does a {@code --dump}/{@code --sysfs} machine left with no PCI function. A
 * description that cannot be read is an error naming its JSON path.
 *
 * <p>The JSON is strict: no duplicate keys, nothing after the description, no coercion between
 * strings, numbers and booleans ({@code "cpus": "4"}, {@code 4.9} and {@code "queued": 1} are refused).
 *
 * <p>Every machine is built from a JSON tree ({@link Base}), so a configuration can be laid over the
 * launcher's description as more JSON and pass the same checks.
 */
public final class MachineLoader {

    public static final String FILE = "msi.machine.file";
    public static final String DUMPS = "msi.machine.dumps";
    public static final String SYSFS = "msi.machine.sysfs";
    public static final String CPUS = "msi.machine.cpus";
    /** The bundled machine of this architecture ({@code x86}: the default machine), when no other input is given. */
    public static final String ARCH = "msi.machine.arch";
    /** {@code true}: the machine boots without the OS's enumeration, its PCI functions as their dumps are. */
    public static final String AS_DUMPED = "msi.machine.asDumped";
    /** Separates the dump paths in {@link #DUMPS}: a newline, since sysfs-style names contain colons. */
    public static final String DUMP_SEPARATOR = "\n";
    static final int DEFAULT_CPUS = 4;
    /** The largest machine description read. */
    static final int MAX_DESCRIPTION = 1 << 20;
    /**
     * Device names: a letter first (never an irq number), then letters, digits, {@code _ . -}: no colon
     * (never a PCI address), no slash ({@code DEVICE/INDEX}), nothing a command line splits on; 1-32
     * characters.
     */
    public static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,31}");
    /** The highest APIC id a message reaches without interrupt remapping (8 destination bits). */
    static final int XAPIC_MAX = 0xFF;
    private static final ObjectMapper MAPPER = strictMapper();

    /** Jackson refusing what it would otherwise guess at: duplicates, trailing tokens, every coercion. */
    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Boolean, LogicalType.Textual,
                LogicalType.Collection, LogicalType.POJO)) {
            for (CoercionInputShape shape : CoercionInputShape.values()) {
                mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
        return mapper;
    }

    private MachineLoader() {
    }

    /** Reads the dumps' bytes by name, relative to the description. */
    public interface Source {
        /** @throws DumpFormatException the file is refused before it is read (not a regular file, too large) */
        byte[] read(String name) throws IOException, DumpFormatException;
    }

    /**
     * A machine description before it is built.
     *
     * @param name      how problems name it (the file, or "default machine")
     * @param tree      the JSON description
     * @param source    reads the dumps its {@code pci} entries name (an absolute path is read as a file)
     * @param preloaded PCI functions read before (from {@code --dump} and {@code --sysfs}), placed first
     * @param problems  inputs already left out, one line each
     * @param dir       what the {@code devices} entries' relative file names are resolved against (the
     *                  description's directory; the working directory for the others)
     */
    public record Base(String name, ObjectNode tree, Source source, List<PciDump> preloaded, List<String> problems,
            Path dir) {

        public Base {
            preloaded = List.copyOf(preloaded);
            problems = List.copyOf(problems);
        }

        /** A base whose files are resolved against the working directory. */
        public Base(String name, ObjectNode tree, Source source, List<PciDump> preloaded, List<String> problems) {
            this(name, tree, source, preloaded, problems, Path.of(""));
        }
    }

    /** A description refused at a JSON path; the message is {@code name: path: problem}. */
    public static final class Refused extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;
        private final String path;
        private final String problem;

        Refused(String name, String path, String problem) {
            super(name + ": " + path + ": " + problem);
            this.path = path;
            this.problem = problem;
        }

        /** Where, e.g. {@code $.platform[1].slots}. */
        public String path() {
            return path;
        }

        /** What is wrong, without the name and the path. */
        public String problem() {
            return problem;
        }
    }

    /**
     * @throws IllegalArgumentException if the machine description is unusable, with a one-line reason
     */
    public static MachineSpec load(Function<String, String> properties) {
        return build(base(properties));
    }

    /**
     * The launcher's description, read but not yet checked.
     *
     * @throws IllegalArgumentException if it cannot be read, with a one-line reason
     */
    public static Base base(Function<String, String> properties) {
        Base base = launcherBase(properties);
        if (Boolean.parseBoolean(properties.apply(AS_DUMPED))) {
            base.tree().put("asDumped", true); // the launcher's switch decides over the description
        }
        return base;
    }

    private static Base launcherBase(Function<String, String> properties) {
        String file = properties.apply(FILE);
        if (file != null && !file.isEmpty()) {
            Path path = Path.of(file);
            byte[] json;
            try {
                json = DumpReader.load(path, MAX_DESCRIPTION);
            } catch (DumpFormatException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            Path dir = path.toAbsolutePath().getParent();
            return new Base(file, parse(file, new ByteArrayInputStream(json)),
                    name -> DumpReader.load(path.resolveSibling(name), DumpReader.MAX_FILE), List.of(), List.of(),
                    dir == null ? Path.of("") : dir);
        }
        String dumps = properties.apply(DUMPS);
        String sysfs = properties.apply(SYSFS);
        if ((dumps != null && !dumps.isEmpty()) || (sysfs != null && !sysfs.isEmpty())) {
            return fromDumps(dumps, sysfs, cpus(properties.apply(CPUS)));
        }
        String arch = properties.apply(ARCH);
        return bundled(arch == null || arch.isEmpty() || arch.equals(ArchSpec.X86) ? "default" : arch);
    }

    /**
     * A machine description bundled with the model: {@code default} (x86) or one per other architecture
     * ({@code /machines/<arch>/machine.json}, e.g. {@code arm64-gicv3-its}), whose dumps are read beside it or else
     * from the default machine's.
     *
     * @throws IllegalArgumentException if there is no such machine
     */
    public static Base bundled(String machine) {
        String dir = "/machines/" + machine + "/";
        String name = machine.equals("default") ? "default machine" : machine + " machine";
        try (InputStream in = MachineLoader.class.getResourceAsStream(dir + "machine.json")) {
            if (in == null) {
                throw new IllegalArgumentException(machine + ": no such bundled machine (default, "
                        + String.join(", ", ArchSpec.NAMES.subList(1, ArchSpec.NAMES.size())) + ")");
            }
            return new Base(name, parse(name, in), file -> {
                if (Path.of(file).isAbsolute()) {
                    return DumpReader.load(Path.of(file), DumpReader.MAX_FILE);
                }
                for (String d : List.of(dir, "/machines/default/")) {
                    try (InputStream r = MachineLoader.class.getResourceAsStream(d + file)) {
                        if (r != null) {
                            return r.readAllBytes();
                        }
                    }
                }
                throw new IOException("no such resource");
            }, List.of(), List.of());
        } catch (IOException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    static MachineSpec fromDescription(String name, InputStream json, Source source) {
        return build(new Base(name, parse(name, json), source, List.of(), List.of()));
    }

    /** Checks and builds the launcher's description; a dump that cannot be read is left out. */
    public static MachineSpec build(Base base) {
        return build(base.name(), base.tree(), base, path -> false);
    }

    /**
     * Checks and builds a description: {@code tree} instead of the base's own, with the base's source,
     * preloaded functions and problems.
     *
     * @param strict the {@code pci} entries (by JSON path, {@code $.pci[3]}) whose dump must be readable: for
     *               them an unreadable dump refuses the description instead of being left out
     * @throws Refused if the description is refused
     */
    public static MachineSpec build(String name, JsonNode tree, Base base, Predicate<String> strict) {
        MachineDescription d = describe(name, tree);
        ArchSpec arch = arch(name, d);
        List<String> problems = new ArrayList<>(base.problems());
        Map<PciAddress, PciDump> pci = new LinkedHashMap<>();
        for (PciDump dump : base.preloaded()) {
            pci.put(dump.address(), dump);
        }
        Set<PciAddress> owned = new HashSet<>();
        List<MachineDescription.PciEntry> entries = d.pci() == null ? List.of() : d.pci();
        for (int i = 0; i < entries.size(); i++) {
            MachineDescription.PciEntry e = entries.get(i);
            String where = "$.pci[" + i + "]";
            if (e == null || e.dump() == null) {
                throw new Refused(name, where + ".dump", "missing");
            }
            try {
                List<PciDump> read = DumpReader.read(e.dump(), base.source().read(e.dump()));
                for (PciDump dump : read) {
                    PciDump placed = e.slot() == null ? dump
                            : new PciDump(slot(name, where, e.slot()), dump.bytes(), dump.header(), dump.source());
                    if (pci.putIfAbsent(placed.address(), placed) != null) {
                        throw new Refused(name, where, "device " + placed.address() + " is defined twice");
                    }
                    if (hypervisorOwned(name, where, e.owner())) {
                        owned.add(placed.address());
                    }
                }
            } catch (DumpFormatException ex) {
                if (ex.notADump()) {
                    throw new Refused(name, where + ".dump", ex.getMessage());
                }
                dumpProblem(name, where, strict, problems, "", ex.getMessage());
            } catch (IOException ex) {
                dumpProblem(name, where, strict, problems, name + ": " + where + ".dump: ",
                        e.dump() + ": cannot read: " + ex.getMessage());
            }
        }
        Set<String> ids = validate(name, d);
        List<DeviceSpec> devices = devices(name, d, ids, pci.keySet(), base.dir());
        return new MachineSpec(apicIds(name, d, remapping(d)), List.copyOf(pci.values()), owned, d.hpet(), d.dmar(), d.platform(),
                problems, Boolean.TRUE.equals(d.asDumped()), devices, arch);
    }

    /**
     * The generic entries: a kind and a name (as a platform device's, or a PCI address for kind
     * {@code pci}), used by no other device of any section; a requester id {@code bb:dd.f}; properties
     * that are strings, numbers or booleans, passed on as their text.
     */
    private static List<DeviceSpec> devices(String name, MachineDescription d, Set<String> ids, Set<PciAddress> pci, Path dir) {
        List<MachineDescription.DeviceEntry> entries = d.devices() == null ? List.of() : d.devices();
        List<DeviceSpec> specs = new ArrayList<>();
        Set<PciAddress> addresses = new HashSet<>(pci);
        for (int i = 0; i < entries.size(); i++) {
            String where = "$.devices[" + i + "]";
            MachineDescription.DeviceEntry e = entries.get(i);
            if (e == null) {
                throw new Refused(name, where, "null is not a device entry");
            }
            if (e.kind() == null) {
                throw new Refused(name, where + ".kind", "missing");
            }
            if (!DEVICE_NAME.matcher(e.kind()).matches()) {
                throw new Refused(name, where + ".kind", "'" + e.kind() + "' is not a kind name (a letter, then letters, "
                        + "digits, _ . -; 1-32 characters)");
            }
            String id = e.name();
            int requesterId = -1;
            if (id != null && e.kind().equals("pci") && PCI_NAME.matcher(id).matches()) {
                PciAddress address = PciAddress.parse(id);
                if (!addresses.add(address)) {
                    throw new Refused(name, where + ".name", "another device is named '" + address + "'");
                }
                id = address.toString();
                requesterId = address.requesterId();
            } else {
                deviceName(name, where + ".name", id, ids);
            }
            if (e.requesterId() != null) {
                if (!PCI_NAME.matcher(e.requesterId()).matches()) {
                    throw new Refused(name, where + ".requesterId", "'" + e.requesterId() + "' is not a requester id bb:dd.f");
                }
                requesterId = PciAddress.parse(e.requesterId()).requesterId();
            }
            Map<String, String> properties = new LinkedHashMap<>();
            if (e.properties() != null) {
                for (Map.Entry<String, JsonNode> p : e.properties().entrySet()) {
                    JsonNode v = p.getValue();
                    if (v == null || !v.isValueNode() || v.isNull()) {
                        throw new Refused(name, where + ".properties." + p.getKey(), (v == null ? "null" : v.isArray()
                                ? "an array" : v.isObject() ? "an object" : "null") + " is not a property value (a string, "
                                + "number or boolean)");
                    }
                    properties.put(p.getKey(), v.asText());
                }
            }
            specs.add(new DeviceSpec(e.kind(), id, requesterId, properties, dir));
        }
        return specs;
    }

    /** A PCI address without its domain, {@code bb:dd.f}: a requester id, or a pci device's name. */
    private static final Pattern PCI_NAME = Pattern.compile("[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]");

    /** A dump left out with a warning ({@code context + problem}), or, for a strict entry, the refusal. */
    private static void dumpProblem(String name, String where, Predicate<String> strict, List<String> problems,
            String context, String problem) {
        if (strict.test(where)) {
            throw new Refused(name, where + ".dump", problem);
        }
        problems.add(context + problem);
    }

    /** Checks the non-PCI devices: values in range and no device id used twice; returns the ids. */
    private static Set<String> validate(String name, MachineDescription d) {
        Set<String> ids = new HashSet<>();
        if (d.hpet() != null) {
            int timers = d.hpet().timers() == null ? 8 : d.hpet().timers();
            if (timers < 3 || timers > 32) {
                throw new Refused(name, "$.hpet.timers", "an HPET has 3-32 timers, not " + timers);
            }
            List<Integer> fsb = d.hpet().fsbTimers() == null ? List.of() : d.hpet().fsbTimers();
            for (int i = 0; i < fsb.size(); i++) {
                if (fsb.get(i) == null || fsb.get(i) < 0 || fsb.get(i) >= timers) {
                    throw new Refused(name, "$.hpet.fsbTimers[" + i + "]", "no timer " + fsb.get(i));
                }
            }
            ids.add("hpet");
        }
        List<MachineDescription.DmarEntry> dmar = d.dmar() == null ? List.of() : d.dmar();
        int remapping = 0;
        for (int i = 0; i < dmar.size(); i++) {
            String id = dmar.get(i) == null ? null : dmar.get(i).name();
            deviceName(name, "$.dmar[" + i + "].name", id, ids);
            Integer irt = dmar.get(i).irtSize();
            if (irt != null && irt != 0) {
                if (irt < 2 || irt > 65536 || Integer.bitCount(irt) != 1) {
                    throw new Refused(name, "$.dmar[" + i + "].irtSize",
                            "an interrupt remapping table has 2^(S+1) entries, up to 65536, not " + irt);
                }
                if (++remapping > 1) {
                    throw new Refused(name, "$.dmar[" + i + "].irtSize", "only one DMAR unit may remap interrupts");
                }
            }
            requesterId(name, "$.dmar[" + i + "].hpetSourceId", dmar.get(i).hpetSourceId());
        }
        List<MachineDescription.PlatformEntry> platform = d.platform() == null ? List.of() : d.platform();
        for (int i = 0; i < platform.size(); i++) {
            MachineDescription.PlatformEntry p = platform.get(i);
            String id = p == null ? null : p.name();
            deviceName(name, "$.platform[" + i + "].name", id, ids);
            if (p.slots() == null || p.slots() < 1 || p.slots() > 2048) {
                throw new Refused(name, "$.platform[" + i + "].slots", "1-2048, not " + p.slots());
            }
            requesterId(name, "$.platform[" + i + "].requesterId", p.requesterId());
        }
        return ids;
    }

    /** An optional requester id {@code bb:dd.f}. */
    private static void requesterId(String name, String path, String value) {
        if (value != null && !PCI_NAME.matcher(value).matches()) {
            throw new Refused(name, path, "'" + value + "' is not a requester id bb:dd.f");
        }
    }

    /** A device name of the safe alphabet, used by no other device. */
    private static void deviceName(String name, String path, String id, Set<String> ids) {
        if (id == null) {
            throw new Refused(name, path, "missing");
        }
        if (!DEVICE_NAME.matcher(id).matches()) {
            throw new Refused(name, path, "'" + id + "' is not a device name (a letter, then letters, digits, _ . -; "
                    + "1-32 characters)");
        }
        if (!ids.add(id)) {
            throw new Refused(name, path, "another device is named '" + id + "'");
        }
    }

    private static boolean hypervisorOwned(String name, String where, String owner) {
        if (owner == null || owner.equals("os")) {
            return false;
        }
        if (owner.equals("hypervisor")) {
            return true;
        }
        throw new Refused(name, where + ".owner", "'" + owner + "' is neither os nor hypervisor");
    }

    private static PciAddress slot(String name, String where, String slot) {
        try {
            return PciAddress.parse(slot);
        } catch (IllegalArgumentException ex) {
            throw new Refused(name, where + ".slot", "'" + slot + "' is not a PCI address");
        }
    }

    private static ObjectNode parse(String name, InputStream json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tree instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException(name + ": not valid JSON: a description is an object { ... }");
    }

    private static MachineDescription describe(String name, JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, MachineDescription.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("", "$", ""));
            throw new Refused(name, path, mismatch(tree, e));
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * The architecture and its controller's parameters. HPET and DMAR units are x86 devices, and APIC ids x86's;
     * a GICv2 distributor addresses at most 8 CPUs; a controller's section goes only with its architecture.
     */
    private static ArchSpec arch(String name, MachineDescription d) {
        String arch = d.arch() == null ? ArchSpec.X86 : d.arch();
        if (!ArchSpec.NAMES.contains(arch)) {
            throw new Refused(name, "$.arch", "'" + arch + "' is not an architecture (" + String.join(", ", ArchSpec.NAMES) + ")");
        }
        onlyWith(name, "$.its", d.its(), ArchSpec.GICV3_ITS, arch);
        onlyWith(name, "$.gicv2m", d.gicv2m(), ArchSpec.GICV2M, arch);
        onlyWith(name, "$.imsic", d.imsic(), ArchSpec.IMSIC, arch);
        if (arch.equals(ArchSpec.X86)) {
            return ArchSpec.DEFAULT;
        }
        if (d.hpet() != null) {
            throw new Refused(name, "$.hpet", "the HPET is an x86 device, not part of an " + arch + " machine");
        }
        if (d.dmar() != null && !d.dmar().isEmpty()) {
            throw new Refused(name, "$.dmar", "a DMAR unit is an x86 device, not part of an " + arch + " machine");
        }
        List<MachineDescription.DeviceEntry> devices = d.devices() == null ? List.of() : d.devices();
        for (int i = 0; i < devices.size(); i++) {
            String kind = devices.get(i) == null ? null : devices.get(i).kind();
            if ("hpet".equals(kind) || "dmar".equals(kind)) {
                throw new Refused(name, "$.devices[" + i + "].kind", "'" + kind + "' is an x86 device, not part of an "
                        + arch + " machine");
            }
        }
        if (d.apicIds() != null) {
            throw new Refused(name, "$.apicIds", "APIC ids are x86's; an " + arch + " machine numbers its CPUs 0 to cpus-1");
        }
        return switch (arch) {
            case ArchSpec.GICV3_ITS -> {
                MachineDescription.ItsEntry e = d.its();
                ArchSpec.Its def = ArchSpec.ITS_DEFAULTS;
                long base = e == null ? def.base() : address(name, "$.its.base", e.base(), def.base(), 0x10000);
                int lpis = e == null || e.lpis() == null ? def.lpis() : e.lpis();
                if (lpis < 1 || lpis > 65536 - org.msidomain.hw.irqchip.GicIts.LPI_BASE) {
                    throw new Refused(name, "$.its.lpis", "1-57344 LPIs (INTIDs 8192-65535), not " + lpis);
                }
                yield new ArchSpec(arch, new ArchSpec.Its(base, lpis), null, null);
            }
            case ArchSpec.GICV2M -> {
                if (d.cpus() != null && d.cpus() > org.msidomain.hw.internal.irqchip.SimGicV2m.MAX_CPUS) {
                    throw new Refused(name, "$.cpus", d.cpus() + " CPUs: a GICv2 distributor (GICD_ITARGETSR) addresses at most 8");
                }
                MachineDescription.GicV2mEntry e = d.gicv2m();
                ArchSpec.V2m def = ArchSpec.V2M_DEFAULTS;
                long frame = e == null ? def.frame() : address(name, "$.gicv2m.frame", e.frame(), def.frame(), 0x1000);
                int first = e == null || e.spiBase() == null ? def.spiBase() : e.spiBase();
                if (first < 32 || first > 1019) {
                    throw new Refused(name, "$.gicv2m.spiBase", "an SPI INTID is 32-1019, not " + first);
                }
                int count = e == null || e.spiCount() == null ? def.spiCount() : e.spiCount();
                if (count < 1 || first + count > 1020) {
                    throw new Refused(name, "$.gicv2m.spiCount", count + " SPIs from INTID " + first + " go beyond INTID 1019");
                }
                yield new ArchSpec(arch, null, new ArchSpec.V2m(frame, first, count), null);
            }
            default -> {
                MachineDescription.ImsicEntry e = d.imsic();
                ArchSpec.Imsic def = ArchSpec.IMSIC_DEFAULTS;
                long base = e == null ? def.base() : address(name, "$.imsic.base", e.base(), def.base(), 0x1000);
                int stride = e == null || e.stride() == null ? (int) def.stride() : e.stride();
                if (stride < 0x1000 || stride % 0x1000 != 0) {
                    throw new Refused(name, "$.imsic.stride", "a multiple of 4096 (the size of an interrupt file), not " + stride);
                }
                int ids = e == null || e.identities() == null ? def.identities() : e.identities();
                if (ids < 63 || ids > 2047 || (ids + 1) % 64 != 0) {
                    throw new Refused(name, "$.imsic.identities", "63, 127, ... 2047 (a multiple of 64 minus 1), not " + ids);
                }
                yield new ArchSpec(arch, null, null, new ArchSpec.Imsic(base, stride, ids));
            }
        };
    }

    private static void onlyWith(String name, String path, Object section, String owner, String arch) {
        if (section != null && !owner.equals(arch)) {
            throw new Refused(name, path, "goes only with arch " + owner + ", not " + arch);
        }
    }

    /** An address as a hex string {@code 0x...}, aligned; the default if absent. */
    private static long address(String name, String path, String value, long absent, long alignment) {
        if (value == null) {
            return absent;
        }
        long a;
        try {
            if (!value.startsWith("0x") && !value.startsWith("0X")) {
                throw new NumberFormatException();
            }
            a = Long.parseUnsignedLong(value.substring(2), 16);
        } catch (NumberFormatException e) {
            throw new Refused(name, path, "'" + value + "' is not a hex address 0x...");
        }
        if (a < 0 || a >= 1L << 52 || a % alignment != 0) {
            throw new Refused(name, path, value + " is not a " + (alignment >> 10) + " KiB aligned address below 2^52");
        }
        return a;
    }

    /** Whether a DMAR unit remaps interrupts (checked by {@link #validate}). */
    private static boolean remapping(MachineDescription d) {
        return d.dmar() != null && d.dmar().stream().anyMatch(u -> u != null && u.irtSize() != null && u.irtSize() != 0);
    }

    /**
     * The CPUs' APIC ids. Without remapping an id above 255 is refused: no message can reach it, and Linux
     * does not bring such a CPU online ({@code x2apic_set_max_apicid(255)} without IR).
     */
    private static List<Integer> apicIds(String name, MachineDescription d, boolean remapping) {
        int cpus = d.cpus() == null ? DEFAULT_CPUS : d.cpus();
        if (cpus < 1 || cpus > 256) {
            throw new Refused(name, "$.cpus", cpus + " CPUs is impossible (1-256)");
        }
        if (d.apicIds() == null) {
            return identity(cpus);
        }
        if (d.apicIds().size() != cpus) {
            throw new Refused(name, "$.apicIds", d.apicIds().size() + " ids for " + cpus + " CPUs");
        }
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            Integer id = d.apicIds().get(i);
            if (id == null || id < 0 || seen.contains(id)) {
                throw new Refused(name, "$.apicIds[" + i + "]", id + " is not a free APIC id (0 and up; above 255 is x2APIC)");
            }
            if (id > XAPIC_MAX && !remapping) {
                throw new Refused(name, "$.apicIds[" + i + "]", id + " is an x2APIC id: above 255 needs interrupt "
                        + "remapping (a dmar unit with irtSize)");
            }
            seen.add(id);
        }
        return d.apicIds();
    }

    private static Base fromDumps(String dumps, String sysfs, int cpus) {
        List<String> problems = new ArrayList<>();
        Map<PciAddress, PciDump> pci = new LinkedHashMap<>();
        List<PciDump> all = new ArrayList<>();
        if (dumps != null && !dumps.isEmpty()) {
            for (String file : dumps.split(DUMP_SEPARATOR)) {
                if (file.isBlank()) {
                    continue;
                }
                try {
                    all.addAll(DumpReader.read(Path.of(file)));
                } catch (DumpFormatException e) {
                    if (e.notADump()) {
                        throw new IllegalArgumentException(e.getMessage());
                    }
                    problems.add(e.getMessage());
                }
            }
        }
        if (sysfs != null && !sysfs.isEmpty()) {
            try {
                all.addAll(SysfsReader.read(Path.of(sysfs), problems));
            } catch (DumpFormatException e) {
                problems.add(e.getMessage());
            }
        }
        for (PciDump dump : all) {
            if (pci.putIfAbsent(dump.address(), dump) != null) {
                problems.add(dump.source() + ": device " + dump.address() + " is already defined; left out");
            }
        }
        if (pci.isEmpty() && !problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0)); // nothing of what was asked for would be there
        }
        ObjectNode tree = MAPPER.createObjectNode().put("cpus", cpus);
        return new Base("--dump/--sysfs machine", tree, name -> DumpReader.load(Path.of(name), DumpReader.MAX_FILE),
                List.copyOf(pci.values()), problems);
    }

    private static int cpus(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_CPUS;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 256) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(CPUS + ": '" + value + "' is not a CPU count in 1-256");
    }

    /** A value of the wrong type in one line ({@code "4" is not an integer}); Jackson's own message otherwise. */
    private static String mismatch(JsonNode tree, JsonMappingException e) {
        if (!(e instanceof MismatchedInputException m) || e instanceof UnrecognizedPropertyException
                || m.getTargetType() == null) {
            return e.getOriginalMessage().lines().findFirst().orElse("");
        }
        JsonNode node = tree;
        for (JsonMappingException.Reference r : e.getPath()) {
            node = r.getFieldName() != null ? node.path(r.getFieldName()) : node.path(r.getIndex());
        }
        Class<?> type = m.getTargetType();
        String expected = type == Integer.class || type == int.class ? "an integer"
                : type == Boolean.class || type == boolean.class ? "true or false"
                : type == String.class ? "a string"
                : List.class.isAssignableFrom(type) ? "an array" : "an object";
        return (node.isMissingNode() ? "the value" : node.toString()) + " is not " + expected;
    }

    private static List<Integer> identity(int cpus) {
        List<Integer> ids = new ArrayList<>(cpus);
        for (int i = 0; i < cpus; i++) {
            ids.add(i);
        }
        return ids;
    }
}
