package org.msidomain.app.internal;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code msi:*} Gogo commands. Their names, arguments and output formats are a public interface
 * that scripts rely on: keep them stable. Errors are thrown as exceptions with a one-line message.
 */
@Component(service = MsiCommands.class, property = {
    "osgi.command.scope=msi",
    "osgi.command.function=lspci", "osgi.command.function=interrupts", "osgi.command.function=devices",
    "osgi.command.function=providers", "osgi.command.function=alloc", "osgi.command.function=free",
    "osgi.command.function=affinity", "osgi.command.function=mask", "osgi.command.function=unmask",
    "osgi.command.function=fire", "osgi.command.function=write", "osgi.command.function=why",
    "osgi.command.function=cpu", "osgi.command.function=cpus" })
public final class MsiCommands {

    private final MsiDomain domain;
    private final Machine machine;
    private final BundleContext context;

    @Activate
    public MsiCommands(@Reference(name = "domain") MsiDomain domain, @Reference(name = "machine") Machine machine,
            BundleContext context) {
        this.domain = domain;
        this.machine = machine;
        this.context = context;
    }

    @Descriptor("list PCI devices as pciutils' lspci does")
    public String lspci(
            @Descriptor("verbose") @Parameter(names = "-v", presentValue = "true", absentValue = "false") boolean v,
            @Descriptor("very verbose: MSI/MSI-X details") @Parameter(names = "-vv", presentValue = "true",
                    absentValue = "false") boolean vv,
            @Descriptor("[[domain:]bus:]dev.fn") @Parameter(names = "-s", absentValue = "") String slot,
            @Descriptor("none") String... args) {
        Args.of("msi:lspci [-v|-vv] [-s SLOT]", args, 0, 0);
        return machine.lspci(vv ? 2 : v ? 1 : 0, slot.isEmpty() ? null : slot);
    }

    @Descriptor("interrupt counts per CPU, as /proc/interrupts")
    public Object interrupts(CommandSession session,
            @Descriptor("print the table again every SECONDS (0.1-3600), each followed by an empty line; q quits")
            @Parameter(names = "--watch", absentValue = "") String watch,
            @Descriptor("with --watch: stop after this many tables") @Parameter(names = { "-n", "--count" },
                    absentValue = "") String count,
            @Descriptor("none") String... args) throws InterruptedException {
        Args.of("msi:interrupts [--watch SECONDS [-n COUNT]]", args, 0, 0);
        settle();
        if (watch.isEmpty()) {
            if (!count.isEmpty()) {
                throw new IllegalArgumentException("-n " + count + ": only with --watch SECONDS");
            }
            return InterruptsTable.format(domain);
        }
        long interval = Refresher.intervalMillis("--watch", watch);
        int n = Refresher.count("-n", count);
        Terminal terminal = Terminal.of(session, context);
        new Refresher(session.getConsole(), terminal, TopCommand.keys(session, terminal, n), interval, n)
                .run(frame -> InterruptsTable.format(domain));
        return null;
    }

    @Descriptor("devices with their storage type and binding state: a row per storage of a device (the default "
            + "first), and WAITING rows for described devices whose kind has no model yet")
    public String devices(@Descriptor("none") String... args) {
        Args.of("msi:devices", args, 0, 0);
        settle();
        List<DeviceInfo> devices = domain.devices();
        if (devices.isEmpty()) {
            return "No MSI-capable devices.";
        }
        Tables t = new Tables("DEVICE", "TYPE", "STATE", "PROVIDER", "#VECTORS");
        devices.forEach(d -> t.row(d.id(), d.storageType().isEmpty() ? "-" : d.storageType(), d.state(),
                d.provider().isEmpty() ? "-" : d.provider(), d.vectors()));
        return t.toString().stripTrailing();
    }

    @Descriptor("why a device is unbound, degraded or waiting, in a sentence per storage")
    public String why(@Descriptor("DEVICE") String... args) {
        String device = Args.of("msi:why DEVICE", args, 1, 1).text(0);
        settle();
        List<DeviceInfo> all = domain.devices();
        // a waiting device is not part of the machine yet: the domain's list names it
        String id = machine.device(device).map(org.msidomain.hw.HwDevice::id)
                .or(() -> all.stream().map(DeviceInfo::id).filter(device::equals).findFirst())
                .orElseThrow(() -> new IllegalArgumentException("unknown device " + device));
        List<DeviceInfo> storages = all.stream().filter(i -> i.id().equals(id)).toList();
        if (storages.isEmpty()) {
            throw new IllegalArgumentException(device + " cannot signal by message (no MSI storage)");
        }
        StringBuilder out = new StringBuilder();
        for (DeviceInfo d : storages) {
            // the default storage speaks for the device as before; a secondary one is named by its type
            String who = out.length() == 0 ? d.id() : d.id() + " " + d.storageType();
            out.append(out.length() == 0 ? "" : "\n").append(sentence(who, d));
        }
        return out.toString();
    }

    private static String sentence(String who, DeviceInfo d) {
        return switch (d.state()) {
            case BOUND -> who + ": bound to " + d.provider() + " (storage type " + d.storageType()
                    + (d.reason().isEmpty() ? "" : "; " + d.reason()) + "), " + d.vectors() + " vectors; nothing is waiting.";
            case UNBOUND -> who + ": unbound: " + d.reason();
            case FAILED -> who + ": failed: " + d.reason();
            case WAITING -> who + ": waiting: " + d.reason();
        };
    }

    @Descriptor("bound storage providers")
    public String providers(@Descriptor("none") String... args) {
        Args.of("msi:providers", args, 0, 0);
        settle();
        List<ProviderInfo> providers = domain.providers();
        if (providers.isEmpty()) {
            return "No providers bound.";
        }
        Tables t = new Tables("#ID", "SYMBOLIC NAME", "VERSION", "TYPES", "STATE", "#DEVICES", "#VECTORS");
        providers.forEach(p -> t.row(p.bundleId(), p.symbolicName(), p.version(), String.join(",", p.storageTypes()),
                p.state(), p.devices(), p.vectors()));
        return t.toString().stripTrailing();
    }

    @Descriptor("allocate COUNT vectors of a device (VARIANT for PCI: msi or msix; on a device with several "
            + "storages, a STORAGE type allocates from that storage); on an HPET, its first COUNT free timers that "
            + "can deliver by FSB message")
    public String alloc(
            @Descriptor("spread the vectors over the CPUs as managed interrupts, but the first PRE and the last POST "
                    + "(pci_alloc_irq_vectors_affinity), e.g. 1,0") @Parameter(names = "--spread", absentValue = "")
            String spread,
            @Descriptor("DEVICE COUNT [VARIANT|STORAGE], e.g. 00:04.0 4 msix") String... args) {
        Args a = Args.of("msi:alloc DEVICE COUNT [VARIANT]", args, 2, 3);
        String device = a.text(0);
        int count = a.integer(1, "COUNT");
        String variant = a.text(2, "");
        int[] prePost = spread.isEmpty() ? null : prePost(a, spread);
        settle();
        HwDevice hw = machine.device(device).orElse(null);
        boolean hpet = hw != null && hw.storageType().equals(HpetTimers.STORAGE_TYPE);
        if (hpet && prePost != null) {
            throw a.refused("--spread " + spread + ": HPET timers are not spread");
        }
        int[] irqs = hpet ? HpetTimers.allocate(domain, hw, count, variant)
                : prePost != null ? domain.allocateAffinity(device, count, variant, prePost[0], prePost[1])
                : domain.allocate(device, count, variant);
        StringBuilder out = new StringBuilder();
        for (int irq : irqs) {
            // the shell is the driver: it requests each vector, which leaves reservation mode
            domain.setHandler(irq, name(irq, "-"), (n, cpu) -> { });
            out.append(describe(irq)).append('\n');
        }
        return out.toString().stripTrailing();
    }

    /** {@code PRE,POST}: two numbers of vectors at least 0. */
    private static int[] prePost(Args a, String spread) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,4})\\s*,\\s*(\\d{1,4})\\s*").matcher(spread);
        if (!m.matches()) {
            throw a.refused("--spread '" + spread + "' is not PRE,POST (two numbers of vectors, e.g. 1,0)");
        }
        return new int[] { Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) };
    }

    @Descriptor("free every vector of a device")
    public String free(@Descriptor("DEVICE") String... args) {
        String device = Args.of("msi:free DEVICE", args, 1, 1).text(0);
        settle();
        int n = domain.devices().stream().filter(d -> d.id().equals(device)).mapToInt(DeviceInfo::vectors).sum();
        domain.free(device);
        return device + ": freed " + n + " vectors";
    }

    @Descriptor("steer an interrupt to a CPU or within a CPU list (Linux's cpulist, e.g. 2-3,6); with the irq alone, "
            + "show its affinity as /proc/irq/N/smp_affinity_list and effective_affinity_list do")
    public String affinity(@Descriptor("IRQ [CPU|CPULIST], the irq as a number or DEVICE/INDEX") String... args) {
        Args a = Args.of(AFFINITY_USAGE, args, 1, 2);
        String irq = a.text(0);
        if (a.size() == 1) {
            settle();
            int n = IrqRef.resolve(domain, irq);
            return "smp_affinity_list: " + CpuList.format(domain.affinityMask(n)) + "\neffective_affinity_list: "
                    + domain.irq(n).orElseThrow().cpu();
        }
        if (SINGLE_CPU.matcher(a.text(1)).matches() || !LIST_CHARS.matcher(a.text(1)).find()) {
            int cpu = a.integer(1, "CPU"); // one CPU: as before, byte for byte
            settle();
            int n = IrqRef.resolve(domain, irq);
            domain.setAffinity(n, cpu);
            return describe(n);
        }
        java.util.Set<Integer> cpus;
        try {
            cpus = CpuList.parse(a.text(1), domain.cpuCount());
        } catch (CpuList.Malformed e) {
            throw a.refused(e.getMessage());
        }
        settle();
        int n = IrqRef.resolve(domain, irq);
        domain.setAffinity(n, cpus);
        return describe(n) + " mask " + CpuList.format(domain.affinityMask(n));
    }

    private static final String AFFINITY_USAGE = "msi:affinity IRQ [CPU|CPULIST]";
    /** A CPU number as {@code Integer.parseInt} reads it (so "-1" is a CPU out of range, as before lists). */
    private static final java.util.regex.Pattern SINGLE_CPU = java.util.regex.Pattern.compile("\\s*[+-]?\\d+\\s*");
    /** What only a cpulist has: a comma, a range dash after a digit, a stride. */
    private static final java.util.regex.Pattern LIST_CHARS = java.util.regex.Pattern.compile("[,:/]|\\d-");

    @Descriptor("take a CPU offline (its interrupts move to online CPUs) or bring it online, as Linux's "
            + "/sys/devices/system/cpu/cpuN/online")
    public String cpu(@Descriptor("offline|online CPU, e.g. offline 2") String... args) {
        Args a = Args.of(CPU_USAGE, args, 2, 2);
        String state = a.text(0);
        if (!state.equals("offline") && !state.equals("online")) {
            throw a.refused("'" + state + "' is neither offline nor online");
        }
        int cpu = a.integer(1, "CPU");
        if (cpu < 0 || cpu >= domain.cpuCount()) {
            throw a.refused("CPU " + cpu + " out of range 0-" + (domain.cpuCount() - 1));
        }
        settle();
        if (state.equals("offline")) {
            boolean was = domain.cpus().get(cpu).online();
            List<Integer> on = domain.irqs().stream().filter(i -> i.cpu() == cpu && i.vector() != SHUTDOWN_VECTOR)
                    .map(IrqInfo::irq).toList();
            domain.cpuOffline(cpu);
            java.util.Set<Integer> online = new java.util.HashSet<>();
            domain.cpus().stream().filter(org.msidomain.api.CpuInfo::online).forEach(c -> online.add(c.cpu()));
            // a managed interrupt whose mask has no online CPU left is shut down; every other one moved
            long down = on.stream().filter(irq -> java.util.Collections.disjoint(domain.affinityMask(irq), online)).count();
            return "CPU " + cpu + ": offline" + (was ? ", " + (on.size() - down) + " vectors moved" : " already")
                    + (down > 0 ? ", " + down + " managed shut down" : "");
        }
        boolean was = domain.cpus().get(cpu).online();
        domain.cpuOnline(cpu);
        return "CPU " + cpu + ": online" + (was ? " already" : "");
    }

    private static final String CPU_USAGE = "msi:cpu offline|online CPU";
    /** The vector a reserved or shut-down interrupt's message names (x86's reservation and shutdown vector). */
    private static final int SHUTDOWN_VECTOR = 0xFF;

    @Descriptor("the CPUs: online or offline, and their device vectors in use")
    public String cpus(@Descriptor("none") String... args) {
        Args.of("msi:cpus", args, 0, 0);
        settle();
        Tables t = new Tables("#CPU", "STATE", "#VECTORS");
        domain.cpus().forEach(c -> t.row(c.cpu(), c.online() ? "online" : "offline", c.vectors()));
        return t.toString().stripTrailing();
    }

    @Descriptor("mask an interrupt")
    public String mask(@Descriptor("IRQ, a number or DEVICE/INDEX") String... args) {
        String irq = Args.of("msi:mask IRQ", args, 1, 1).text(0);
        int n = IrqRef.resolve(domain, irq);
        domain.mask(n);
        return "irq " + n + ": masked";
    }

    @Descriptor("unmask an interrupt")
    public String unmask(@Descriptor("IRQ, a number or DEVICE/INDEX") String... args) {
        String irq = Args.of("msi:unmask IRQ", args, 1, 1).text(0);
        int n = IrqRef.resolve(domain, irq);
        domain.unmask(n);
        return "irq " + n + ": unmasked";
    }

    @Descriptor("make a device raise one of its interrupts COUNT times (default 1)")
    public String fire(
            @Descriptor("the device's storage whose interrupt is raised (a secondary one such as platform; default: "
                    + "the device's default storage)") @Parameter(names = "--storage", absentValue = "") String storage,
            @Descriptor("DEVICE INDEX [COUNT] (INDEX the MSI index), or IRQ [COUNT] (a number, DEVICE/INDEX or "
                    + "DEVICE/STORAGE/INDEX)") String... args) {
        String usage = "msi:fire [--storage TYPE] DEVICE INDEX [COUNT] | msi:fire IRQ [COUNT]";
        String device;
        String type;
        int index;
        int count;
        if (args != null && args.length > 0 && irqForm(args[0])) {
            // an interrupt: its device raises it through the storage it belongs to
            Args a = Args.of(usage, args, 1, 2);
            if (!storage.isEmpty()) {
                throw a.refused("--storage goes with DEVICE INDEX, not with an irq (whose storage is known)");
            }
            settle();
            int irq = IrqRef.resolve(domain, a.text(0));
            IrqInfo info = domain.irq(irq).orElseThrow(() -> new IllegalArgumentException("no irq " + irq));
            device = info.device();
            index = info.index();
            type = domain.storageOf(irq);
            count = a.integer(1, "COUNT", 1);
        } else {
            Args a = Args.of(usage, args, 2, 3);
            device = a.text(0);
            index = a.integer(1, "INDEX");
            count = a.integer(2, "COUNT", 1);
            type = storage;
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, not " + count);
        }
        String id = device;
        HwDevice hw = machine.device(device).orElseThrow(() -> new IllegalArgumentException("unknown device " + id));
        if (type.isEmpty()) {
            type = hw.storageType();
        } else if (!hw.storageTypes().contains(type)) {
            throw new IllegalArgumentException("--storage " + type + ": device " + device + " has no storage "
                    + type + " (it has " + String.join(", ", hw.storageTypes()) + ")");
        }
        boolean primary = type.equals(hw.storageType());
        // the default storage keeps the DEVICE/INDEX form; a secondary one is named as IrqRef reads it
        String name = primary ? device + "/" + index : device + "/" + type + "/" + index;
        for (int i = 0; i < count; i++) {
            if (Thread.currentThread().isInterrupted()) { // Ctrl-C in the shell: stop here
                return name + ": fired " + i + " of " + count + " (interrupted)";
            }
            try {
                if (primary) {
                    hw.raise(index);
                } else {
                    hw.raise(type, index);
                }
            } catch (IllegalStateException | IllegalArgumentException refused) {
                requireVectors(hw, type); // the likely reason, said as a driver would understand it
                throw refused;
            }
        }
        return name + ": fired " + count;
    }

    /** An irq number or DEVICE/[STORAGE/]INDEX: a device name is never a number and has no '/'. */
    private static boolean irqForm(String arg) {
        return arg.indexOf('/') >= 0 || arg.trim().matches("\\d+");
    }

    @Descriptor("perform a raw message write, as a device would")
    public String write(
            @Descriptor("the device whose requester id the write carries") @Parameter(names = "--from", absentValue = "") String from,
            @Descriptor("ADDRESS DATA, hexadecimal with or without 0x, e.g. fee01000 00000041") String... args) {
        Args in = Args.of("msi:write [--from DEVICE] ADDRESS DATA", args, 2, 2);
        long a = in.hex(0, "ADDRESS", 64);
        int d = (int) in.hex(1, "DATA", 32);
        settle();
        long spuriousBefore = spuriousTotal();
        String outcome = machine.injectMessage(a, d, from.isEmpty() ? null : from);
        if (outcome.startsWith("delivered") && spuriousTotal() > spuriousBefore) {
            outcome += " (spurious: no interrupt owns that vector)";
        }
        return String.format("write %08x <- %08x%s: %s", a, d, from.isEmpty() ? "" : " from " + from, outcome);
    }

    private long spuriousTotal() {
        long s = 0;
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            s += domain.spurious(cpu);
        }
        return s;
    }

    /** A raise on a device without vectors reaches no handler (its message storage is off): say so instead. */
    /**
     * A device the domain gave no vectors cannot signal (booted devices have MSI and MSI-X off) unless its
     * registers still hold a message of their own ({@code --as-dumped}): the hardware decides, this names why.
     */
    private void requireVectors(HwDevice hw, String type) {
        settle();
        boolean secondary = !type.equals(hw.storageType());
        DeviceInfo d = domain.devices().stream().filter(i -> i.id().equals(hw.id()))
                .filter(i -> !secondary || i.storageType().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(hw.id() + " cannot signal by message (no MSI storage)"));
        if (d.vectors() == 0) {
            throw new IllegalArgumentException(hw.id() + (secondary ? " storage " + type : "") + " has no vectors, so "
                    + "nothing would be delivered: allocate them first (msi:alloc " + hw.id() + " COUNT"
                    + (secondary ? " " + type : "") + ")");
        }
    }

    private String describe(int irq) {
        IrqInfo i = domain.irq(irq).orElseThrow();
        return String.format("irq %d: %s CPU%d %s", i.irq(), name(irq, "/"), i.cpu(), target(machine.arch(), i.vector()));
    }

    /**
     * The id of a target in the architecture's words: an x86 vector in hex as before, an LPI or SPI by its INTID, an
     * IMSIC interrupt identity.
     */
    static String target(String arch, int id) {
        return switch (arch) {
            case "arm64-gicv3-its" -> "LPI " + id;
            case "arm64-gicv2m" -> "SPI " + id;
            case "riscv-aia-imsic" -> "identity " + id;
            default -> String.format("vector 0x%02x", id);
        };
    }

    /**
     * DEVICE/INDEX for the default storage, DEVICE/STORAGE/INDEX for a secondary one (as IrqRef reads them),
     * with {@code sep} between the parts.
     */
    private String name(int irq, String sep) {
        IrqInfo i = domain.irq(irq).orElseThrow();
        String storage = domain.storageOf(irq);
        boolean secondary = machine.device(i.device()).map(hw -> !hw.storageType().equals(storage)).orElse(false);
        return i.device() + sep + (secondary ? storage + sep : "") + i.index();
    }

    private void settle() {
        try {
            domain.awaitSettled(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
