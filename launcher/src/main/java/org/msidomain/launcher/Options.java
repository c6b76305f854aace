package org.msidomain.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The launcher's options. Their names are a public interface: keep them stable.
 */
@Command(name = "msi-launcher", mixinStandardHelpOptions = true, version = "msi-launcher 0.1.0",
        description = "Boots the MSI platform in an embedded Apache Felix. With no options it runs the main job "
                + "on the embedded default machine.")
public final class Options {

    /** Framework properties: the launcher's contract with the bundles. */
    static final String DUMPS = "msi.machine.dumps";
    static final String SYSFS = "msi.machine.sysfs";
    static final String MACHINE = "msi.machine.file";
    static final String CPUS = "msi.machine.cpus";
    static final String ARCH = "msi.machine.arch";
    /** The machine description's {@code "arch"} values: each has a bundled machine ({@code x86}: the default one). */
    static final List<String> ARCHES = List.of("x86", "arm64-gicv3-its", "arm64-gicv2m", "riscv-aia-imsic");
    static final String AS_DUMPED = "msi.machine.asDumped";
    static final String DEPLOY = "msi.deploy.dir";
    static final String STRESS = "msi.stress.seconds";
    /** Read by the stress job: CPU offline/online cycles per second. */
    static final String HOTPLUG_RATE = "msi.stress.hotplugRate";
    static final String HTTP = "msi.http.port";
    /** Read by Apache Felix HTTP (Jetty): the port, the address it binds, and whether it listens at all. */
    static final String HTTP_PORT = "org.osgi.service.http.port";
    static final String HTTP_HOST = "org.apache.felix.http.host";
    static final String HTTP_ENABLE = "org.apache.felix.http.enable";
    static final String HTTPS_ENABLE = "org.apache.felix.https.enable";
    /** The web view listens on loopback only: it has no authentication. */
    static final String LOOPBACK = "127.0.0.1";
    /** Separates the paths in {@link #DUMPS}: a newline, since sysfs-style file names contain colons. */
    static final String DUMP_SEPARATOR = "\n";

    @Option(names = "--dump", paramLabel = "FILE",
            description = "Build the PCI bus from this config-space dump (binary, or lspci -x/-xxx/-xxxx text); repeatable.")
    List<Path> dumps = new ArrayList<>();

    @Option(names = "--sysfs", paramLabel = "DIR",
            description = "Build the PCI bus from every DIR/<bdf>/config (read-only), e.g. /sys/bus/pci/devices.")
    Path sysfs;

    @Option(names = "--machine", paramLabel = "FILE", description = "Build the machine from a JSON description.")
    Path machine;

    @Option(names = "--arch", paramLabel = "NAME", description = "Boot the bundled machine of this architecture: "
            + "x86 (the default machine), arm64-gicv3-its, arm64-gicv2m or riscv-aia-imsic.")
    String arch;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs of a machine built from --dump or --sysfs (default 4).")
    Integer cpus;

    /** The deploy folder when none is given: created if missing (a folder given must exist). */
    static final Path DEFAULT_DEPLOY = Path.of("deploy");

    @Option(names = "--as-dumped", description = "Boot without the OS's enumeration: PCI functions keep their dumps' "
            + "MSI and MSI-X state (msi:lspci -vv then prints what lspci -F DUMP -vv prints).")
    boolean asDumped;

    @Option(names = "--deploy", paramLabel = "DIR", description = "The deploy folder (Apache Felix FileInstall): a provider "
            + "jar dropped in is installed and started, replaced is updated, removed is uninstalled (default: deploy, "
            + "created if missing; a folder given must exist).")
    Path deploy;

    @Option(names = { "-c", "--command" }, paramLabel = "\"CMD; CMD\"",
            description = "Boot, run Gogo commands, print their output and exit (no main job).")
    String command;

    @Option(names = "--shell", description = "Open the interactive Gogo shell.")
    boolean shell;

    @Option(names = "--stress", paramLabel = "SECONDS", description = "Soak: devices fire while affinities change, "
            + "interrupts are masked and unmasked and providers are hot-swapped, for SECONDS; exit non-zero on any loss or duplicate.")
    Integer stress;

    @Option(names = "--hotplug-rate", paramLabel = "N", description = "With --stress: CPU offline/online cycles per "
            + "second (default 20; 0: none).")
    Integer hotplugRate;

    @Option(names = "--http", paramLabel = "PORT", description = "Serve the web view on http://127.0.0.1:PORT/msi/ "
            + "(0: a free port; the URL is printed on stderr) beside -c, --shell or --stress; alone, boot and serve until "
            + "interrupted.")
    Integer http;

    /** The deploy folder: the one given, else {@link #DEFAULT_DEPLOY}. */
    Path deployDir() {
        return deploy != null ? deploy : DEFAULT_DEPLOY;
    }

    /** Whether a job option (-c, --shell, --stress) is given; without one, --http serves until interrupted. */
    boolean hasJob() {
        return command != null || shell || stress != null;
    }

    /** A one-line problem with the options, or null. */
    String problem() {
        for (Path dump : dumps) {
            String p = readableFile(dump);
            if (p != null) {
                return p;
            }
        }
        if (machine != null && readableFile(machine) != null) {
            return readableFile(machine);
        }
        if (machine != null && (!dumps.isEmpty() || sysfs != null)) {
            return "--machine cannot be combined with --dump or --sysfs";
        }
        if (arch != null && !ARCHES.contains(arch)) {
            return "--arch " + arch + ": not an architecture (" + String.join(", ", ARCHES) + ")";
        }
        if (arch != null && (machine != null || !dumps.isEmpty() || sysfs != null)) {
            return "--arch cannot be combined with --machine, --dump or --sysfs (it names a bundled machine)";
        }
        if (sysfs != null && (!Files.isDirectory(sysfs) || !Files.isReadable(sysfs))) {
            return sysfs + ": not a readable directory";
        }
        if (cpus != null && (cpus < 1 || cpus > 256)) {
            return "--cpus " + cpus + ": a machine has 1-256 CPUs";
        }
        if (cpus != null && dumps.isEmpty() && sysfs == null) {
            return "--cpus " + cpus + ": applies only to a machine built from --dump or --sysfs"
                    + (machine != null ? " (give \"cpus\" in " + machine + ")" : "");
        }
        if (deploy != null && !Files.exists(deploy)) {
            return deploy + ": no such directory (--deploy; only the default deploy/ is created)";
        }
        if (Files.exists(deployDir()) && !Files.isDirectory(deployDir())) {
            return deployDir() + ": not a directory (--deploy)";
        }
        if ((command != null ? 1 : 0) + (shell ? 1 : 0) + (stress != null ? 1 : 0) > 1) {
            return "-c, --shell and --stress cannot be combined";
        }
        if (hotplugRate != null && stress == null) {
            return "--hotplug-rate " + hotplugRate + ": applies only to --stress";
        }
        if (hotplugRate != null && (hotplugRate < 0 || hotplugRate > 1000)) {
            return "--hotplug-rate " + hotplugRate + ": 0 to 1000 CPU offline/online cycles a second";
        }
        if (stress != null && (stress < 1 || stress > 86_400)) {
            return "--stress " + stress + ": 1 to 86400 seconds";
        }
        if (http != null && (http < 0 || http > 65_535)) {
            return "--http " + http + ": a port is 0 to 65535";
        }
        if (http != null && http > 0) {
            String busy = unavailable(http);
            if (busy != null) {
                return "--http " + http + ": cannot listen on " + LOOPBACK + ":" + http + ": " + busy;
            }
        }
        return null;
    }

    /** Why the port cannot be bound on loopback now (in use, privileged), or null: caught before booting. */
    private static String unavailable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(LOOPBACK, port));
            return null;
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static String readableFile(Path file) {
        if (!Files.exists(file)) {
            return file + ": no such file";
        }
        if (Files.isDirectory(file) || (Files.isRegularFile(file) && !Files.isReadable(file))) {
            return file + ": not a readable file";
        }
        if (!Files.isRegularFile(file)) {
            // checked before anything opens it: opening a FIFO blocks, /dev/zero never ends
            return file + ": not a regular file (a FIFO or a device is never read)";
        }
        return null;
    }

    /** The framework properties through which the bundles learn what to build. */
    Map<String, String> frameworkProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        if (!dumps.isEmpty()) {
            List<String> paths = new ArrayList<>();
            dumps.forEach(d -> paths.add(d.toAbsolutePath().toString()));
            props.put(DUMPS, String.join(DUMP_SEPARATOR, paths));
        }
        if (sysfs != null) {
            props.put(SYSFS, sysfs.toAbsolutePath().toString());
        }
        if (machine != null) {
            props.put(MACHINE, machine.toAbsolutePath().toString());
        }
        if (arch != null) {
            props.put(ARCH, arch);
        }
        if (cpus != null) {
            props.put(CPUS, cpus.toString());
        }
        if (asDumped) {
            props.put(AS_DUMPED, "true");
        }
        if (stress != null) {
            props.put(STRESS, stress.toString());
        }
        if (hotplugRate != null) {
            props.put(HOTPLUG_RATE, hotplugRate.toString());
        }
        if (http != null) {
            props.put(HTTP, http.toString());
            props.put(HTTP_PORT, http.toString());
            props.put(HTTP_HOST, LOOPBACK);
        }
        // Felix HTTP is started only with --http; even if someone starts it, it opens no port without it.
        props.put(HTTP_ENABLE, Boolean.toString(http != null));
        props.put(HTTPS_ENABLE, "false");
        props.put(DEPLOY, deployDir().toAbsolutePath().toString());
        props.put("felix.fileinstall.dir", deployDir().toAbsolutePath().toString());
        props.put("felix.fileinstall.poll", "500");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.bundles.new.start", "true");
        props.put("felix.fileinstall.log.level", "2");
        // the .cfg/.config files are the user's: never rewritten (a write-back cut short by exit empties them)
        props.put("felix.fileinstall.enableConfigSave", "false");
        // a provider change refreshes only what FileInstall manages, never the api bundle
        props.put("felix.fileinstall.optionalImportRefreshScope", "managed");
        props.put("felix.fileinstall.fragmentRefreshScope", "managed");
        return props;
    }
}
