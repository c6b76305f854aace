package org.msidomain.launcher;

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
    static final String DEPLOY = "msi.deploy.dir";
    static final String STRESS = "msi.stress.seconds";
    static final String HTTP = "msi.http.port";
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

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs of a machine built from --dump or --sysfs (default 4).")
    Integer cpus;

    @Option(names = "--deploy", paramLabel = "DIR", description = "The deploy folder (Apache Felix FileInstall): a provider "
            + "jar dropped in is installed and started, replaced is updated, removed is uninstalled (default: deploy).")
    Path deploy = Path.of("deploy");

    @Option(names = { "-c", "--command" }, paramLabel = "\"CMD; CMD\"",
            description = "Boot, run Gogo commands, print their output and exit (no main job).")
    String command;

    @Option(names = "--shell", description = "Open the interactive Gogo shell.")
    boolean shell;

    @Option(names = "--stress", paramLabel = "SECONDS", description = "Soak: devices fire while affinities change, "
            + "interrupts are masked and unmasked and providers are hot-swapped, for SECONDS; exit non-zero on any loss or duplicate.")
    Integer stress;

    @Option(names = "--http", paramLabel = "PORT", description = "Reserved: passed to the bundles as the framework "
            + "property " + HTTP + ".")
    Integer http;

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
        if (sysfs != null && (!Files.isDirectory(sysfs) || !Files.isReadable(sysfs))) {
            return sysfs + ": not a readable directory";
        }
        if (cpus != null && (cpus < 1 || cpus > 256)) {
            return "--cpus " + cpus + ": a machine has 1-256 CPUs";
        }
        if (Files.exists(deploy) && !Files.isDirectory(deploy)) {
            return deploy + ": not a directory (--deploy)";
        }
        if ((command != null ? 1 : 0) + (shell ? 1 : 0) + (stress != null ? 1 : 0) > 1) {
            return "-c, --shell and --stress cannot be combined";
        }
        if (stress != null && (stress < 1 || stress > 86_400)) {
            return "--stress " + stress + ": 1 to 86400 seconds";
        }
        if (http != null && (http < 0 || http > 65_535)) {
            return "--http " + http + ": a port is 0 to 65535";
        }
        return null;
    }

    private static String readableFile(Path file) {
        if (!Files.exists(file)) {
            return file + ": no such file";
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return file + ": not a readable file";
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
        if (cpus != null) {
            props.put(CPUS, cpus.toString());
        }
        if (stress != null) {
            props.put(STRESS, stress.toString());
        }
        if (http != null) {
            props.put(HTTP, http.toString());
        }
        props.put(DEPLOY, deploy.toAbsolutePath().toString());
        props.put("felix.fileinstall.dir", deploy.toAbsolutePath().toString());
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
