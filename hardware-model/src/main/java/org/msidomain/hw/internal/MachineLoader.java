package org.msidomain.hw.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.msidomain.hw.internal.pci.DumpFormatException;
import org.msidomain.hw.internal.pci.DumpReader;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;
import org.msidomain.hw.internal.pci.SysfsReader;

/**
 * Decides what machine to build from the launcher's framework properties: {@code msi.machine.file} (a
 * JSON description), else {@code msi.machine.dumps} and {@code msi.machine.sysfs}, else the embedded
 * default machine. A dump that cannot be read is left out with a one-line problem naming it; the rest
 * of the machine boots. A description that cannot be read is an error naming its JSON path.
 */
public final class MachineLoader {

    public static final String FILE = "msi.machine.file";
    public static final String DUMPS = "msi.machine.dumps";
    public static final String SYSFS = "msi.machine.sysfs";
    public static final String CPUS = "msi.machine.cpus";
    /** Separates the dump paths in {@link #DUMPS}: a newline, since sysfs-style names contain colons. */
    public static final String DUMP_SEPARATOR = "\n";
    static final String DEFAULT = "/machines/default/machine.json";
    static final int DEFAULT_CPUS = 4;

    private MachineLoader() {
    }

    /**
     * @throws IllegalArgumentException if the machine description is unusable, with a one-line reason
     */
    public static MachineSpec load(Function<String, String> properties) {
        String file = properties.apply(FILE);
        if (file != null && !file.isEmpty()) {
            Path path = Path.of(file);
            try (InputStream in = Files.newInputStream(path)) {
                return fromDescription(file, in, name -> Files.readAllBytes(path.resolveSibling(name)));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
            }
        }
        String dumps = properties.apply(DUMPS);
        String sysfs = properties.apply(SYSFS);
        if ((dumps != null && !dumps.isEmpty()) || (sysfs != null && !sysfs.isEmpty())) {
            return fromDumps(dumps, sysfs, cpus(properties.apply(CPUS)));
        }
        try (InputStream in = MachineLoader.class.getResourceAsStream(DEFAULT)) {
            return fromDescription("default machine", in, name -> {
                try (InputStream r = MachineLoader.class.getResourceAsStream("/machines/default/" + name)) {
                    if (r == null) {
                        throw new IOException("no such resource");
                    }
                    return r.readAllBytes();
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("default machine: " + e.getMessage(), e);
        }
    }

    /** Reads the dumps' bytes by name, relative to the description. */
    interface Source {
        byte[] read(String name) throws IOException;
    }

    static MachineSpec fromDescription(String name, InputStream json, Source source) {
        MachineDescription d = parse(name, json);
        List<String> problems = new ArrayList<>();
        Map<PciAddress, PciDump> pci = new LinkedHashMap<>();
        Set<PciAddress> owned = new HashSet<>();
        List<MachineDescription.PciEntry> entries = d.pci() == null ? List.of() : d.pci();
        for (int i = 0; i < entries.size(); i++) {
            MachineDescription.PciEntry e = entries.get(i);
            String where = name + ": $.pci[" + i + "]";
            if (e == null || e.dump() == null) {
                throw new IllegalArgumentException(where + ".dump: missing");
            }
            try {
                List<PciDump> read = DumpReader.read(e.dump(), source.read(e.dump()));
                for (PciDump dump : read) {
                    PciDump placed = e.slot() == null ? dump
                            : new PciDump(slot(where, e.slot()), dump.bytes(), dump.header(), dump.source());
                    if (pci.putIfAbsent(placed.address(), placed) != null) {
                        throw new IllegalArgumentException(where + ": device " + placed.address()
                                + " is defined twice");
                    }
                    if (hypervisorOwned(where, e.owner())) {
                        owned.add(placed.address());
                    }
                }
            } catch (DumpFormatException ex) {
                problems.add(ex.getMessage());
            } catch (IOException ex) {
                problems.add(where + ".dump: " + e.dump() + ": cannot read: " + ex.getMessage());
            }
        }
        validate(name, d);
        return new MachineSpec(apicIds(name, d), List.copyOf(pci.values()), owned, d.hpet(), d.dmar(), d.platform(),
                problems);
    }

    /** Checks the non-PCI devices: values in range and no device id used twice. */
    private static void validate(String name, MachineDescription d) {
        Set<String> ids = new HashSet<>();
        if (d.hpet() != null) {
            int timers = d.hpet().timers() == null ? 8 : d.hpet().timers();
            if (timers < 3 || timers > 32) {
                throw new IllegalArgumentException(name + ": $.hpet.timers: an HPET has 3-32 timers, not " + timers);
            }
            List<Integer> fsb = d.hpet().fsbTimers() == null ? List.of() : d.hpet().fsbTimers();
            for (int i = 0; i < fsb.size(); i++) {
                if (fsb.get(i) == null || fsb.get(i) < 0 || fsb.get(i) >= timers) {
                    throw new IllegalArgumentException(name + ": $.hpet.fsbTimers[" + i + "]: no timer " + fsb.get(i));
                }
            }
            ids.add("hpet");
        }
        List<MachineDescription.DmarEntry> dmar = d.dmar() == null ? List.of() : d.dmar();
        for (int i = 0; i < dmar.size(); i++) {
            String id = dmar.get(i) == null ? null : dmar.get(i).name();
            if (id == null || id.isBlank() || !ids.add(id)) {
                throw new IllegalArgumentException(name + ": $.dmar[" + i + "].name: missing or used twice: " + id);
            }
        }
        List<MachineDescription.PlatformEntry> platform = d.platform() == null ? List.of() : d.platform();
        for (int i = 0; i < platform.size(); i++) {
            MachineDescription.PlatformEntry p = platform.get(i);
            String id = p == null ? null : p.name();
            if (id == null || id.isBlank() || !ids.add(id)) {
                throw new IllegalArgumentException(name + ": $.platform[" + i + "].name: missing or used twice: " + id);
            }
            if (p.slots() == null || p.slots() < 1 || p.slots() > 2048) {
                throw new IllegalArgumentException(name + ": $.platform[" + i + "].slots: 1-2048, not " + p.slots());
            }
        }
    }

    private static boolean hypervisorOwned(String where, String owner) {
        if (owner == null || owner.equals("os")) {
            return false;
        }
        if (owner.equals("hypervisor")) {
            return true;
        }
        throw new IllegalArgumentException(where + ".owner: '" + owner + "' is neither os nor hypervisor");
    }

    private static PciAddress slot(String where, String slot) {
        try {
            return PciAddress.parse(slot);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ".slot: '" + slot + "' is not a PCI address");
        }
    }

    private static MachineDescription parse(String name, InputStream json) {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            return mapper.readValue(json, MachineDescription.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("", "$", ""));
            throw new IllegalArgumentException(name + ": " + path + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static List<Integer> apicIds(String name, MachineDescription d) {
        int cpus = d.cpus() == null ? DEFAULT_CPUS : d.cpus();
        if (cpus < 1 || cpus > 256) {
            throw new IllegalArgumentException(name + ": $.cpus: " + cpus + " CPUs is impossible (1-256)");
        }
        if (d.apicIds() == null) {
            return identity(cpus);
        }
        if (d.apicIds().size() != cpus) {
            throw new IllegalArgumentException(name + ": $.apicIds: " + d.apicIds().size() + " ids for " + cpus
                    + " CPUs");
        }
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            Integer id = d.apicIds().get(i);
            if (id == null || id < 0 || seen.contains(id)) {
                throw new IllegalArgumentException(name + ": $.apicIds[" + i + "]: " + id
                        + " is not a free APIC id (0 and up; above 255 is x2APIC)");
            }
            seen.add(id);
        }
        return d.apicIds();
    }

    private static MachineSpec fromDumps(String dumps, String sysfs, int cpus) {
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
                    problems.add(e.getMessage());
                }
            }
        }
        if (sysfs != null && !sysfs.isEmpty()) {
            try {
                all.addAll(SysfsReader.read(Path.of(sysfs)));
            } catch (DumpFormatException e) {
                problems.add(e.getMessage());
            }
        }
        for (PciDump dump : all) {
            if (pci.putIfAbsent(dump.address(), dump) != null) {
                problems.add(dump.source() + ": device " + dump.address() + " is already defined; left out");
            }
        }
        return new MachineSpec(identity(cpus), List.copyOf(pci.values()), problems);
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

    private static List<Integer> identity(int cpus) {
        List<Integer> ids = new ArrayList<>(cpus);
        for (int i = 0; i < cpus; i++) {
            ids.add(i);
        }
        return ids;
    }
}
