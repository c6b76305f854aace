package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.launcher.LauncherIT.Run;
import org.msidomain.launcher.WebViewIT.Running;

/**
 * The main job and {@code --stress} under the operations the README documents: a fixed version of a provider
 * dropped into the deploy folder beside the embedded one, a machine configuration applied or refused during a
 * soak, and a machine that has nothing but an HPET.
 */
class JobsSurviveIT {

    private static final Pattern STRESS_SUMMARY = Pattern
            .compile("(?m)^fired=(\\d+) delivered=(\\d+) lost=0 duplicated=0 swaps=(\\d+) merged=(\\d+) hotplugs=(\\d+)$");
    /** The domain's log line when a provider is unbound: the job's swapping has begun (nothing unbinds at boot). */
    private static final Pattern SWAPPING = Pattern.compile("(?m)^INFO: provider org\\.msidomain\\.provider\\.\\S+ \\S+ unbound$");

    @TempDir
    Path dir;

    /**
     * The embedded PCI provider as version 0.2.0: the same classes, another Bundle-Version (what a hot-fix
     * dropped into the deploy folder looks like to the framework: a second bundle of the same symbolic name).
     */
    private Path pciProviderVersion(String version) throws IOException {
        Path jar = dir.resolve("pci-provider-" + version + ".jar");
        try (JarFile launcher = new JarFile(System.getProperty("msi.launcher.jar", "target/msi-launcher.jar"));
                JarInputStream in = new JarInputStream(launcher.getInputStream(launcher.getEntry("bundles/pci-provider.jar")))) {
            Manifest manifest = in.getManifest();
            assertEquals("org.msidomain.provider.pci", manifest.getMainAttributes().getValue("Bundle-SymbolicName"));
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    /** Puts a file into the deploy folder in one step, so FileInstall never sees it half written. */
    private static void drop(Path file, Path deploy) throws IOException {
        Files.move(file, deploy.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(Files.createDirectories(dir.resolve("staging")).resolve(name), content);
    }

    @Test
    void theMainJobSwapsBothVersionsOfAProviderInTheDeployFolder() throws Exception {
        Path deploy = Files.createDirectory(dir.resolve("deploy"));
        drop(pciProviderVersion("0.2.0"), deploy);
        Run run = LauncherIT.launch("--deploy", deploy.toString());
        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        String last = lines.get(lines.size() - 1);
        // both PCI bundles are stopped and started (6 with the update) if the second is there when the job begins
        assertTrue(last.matches("fired=(\\d+) delivered=\\1 lost=0 duplicated=0 swaps=[56]"), last);
        assertTrue(run.err().contains("INFO: provider org.msidomain.provider.pci 0.2.0 bound for [pci]"), run.err());
    }

    @Test
    void aSecondVersionDroppedDuringTheSoakIsSwappedToo() throws Exception {
        Path deploy = Files.createDirectory(dir.resolve("deploy"));
        Path fix = pciProviderVersion("0.2.0");
        try (Running run = new Running("--deploy", deploy.toString(), "--stress", "5")) {
            run.await(false, e -> SWAPPING.matcher(e).find(), "the first provider swap");
            drop(fix, deploy);
            run.await(false, e -> e.contains("INFO: provider org.msidomain.provider.pci 0.2.0 bound for [pci]"),
                    "the dropped version bound");
            assertEquals(0, run.awaitExit(), run.err());
            Matcher m = STRESS_SUMMARY.matcher(run.out());
            assertTrue(m.find(), run.out() + run.err());
            assertEquals(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) + Long.parseLong(m.group(4)),
                    "delivered + merged = fired: " + m.group());
        }
    }

    @Test
    void aMachineConfigurationDuringTheSoakIsRefusedOrEndsItWithItsSummary() throws Exception {
        Path deploy = Files.createDirectory(dir.resolve("deploy"));
        long started = System.nanoTime();
        try (Running run = new Running("--deploy", deploy.toString(), "--stress", "60")) {
            run.await(false, e -> SWAPPING.matcher(e).find(), "the first provider swap");
            drop(write("org.msidomain.machine.cfg", "cpus = 0\n"), deploy);
            run.await(false, e -> e.contains("WARNING: configuration refused, the machine stays as it is: "
                    + "org.msidomain.machine: cpus: "), "the refusal");
            Files.move(write("org.msidomain.machine.cfg", "cpus = 2\n"), deploy.resolve("org.msidomain.machine.cfg"),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(0, run.awaitExit(), run.err());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "the soak ended at the change");
            Matcher replaced = Pattern.compile("(?m)^stress: the machine was replaced after \\d+\\.\\d s \\(a machine "
                    + "configuration was applied\\): the soak stopped there; (\\d+) interrupts held \\(masked, or waiting for "
                    + "a provider\\) left with the old machine$").matcher(run.err());
            assertTrue(replaced.find(), run.err());
            Matcher m = STRESS_SUMMARY.matcher(run.out());
            assertTrue(m.find(), run.out() + run.err());
            assertEquals(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) + Long.parseLong(m.group(4))
                    + Long.parseLong(replaced.group(1)), "delivered + merged + held = fired: " + m.group());
            String header = run.out().lines().findFirst().orElseThrow();
            assertTrue(header.trim().endsWith("CPU3"), "the table of the machine the soak ran on: " + header);
        }
    }

    @Test
    void theSoakRunsOnAMachineWithNothingButAnHpet() throws Exception {
        Path machine = Files.writeString(dir.resolve("hpet.json"), "{\"cpus\":2,\"hpet\":{\"timers\":4,\"fsbTimers\":[2,3]}}");
        Run run = LauncherIT.launch("--deploy", Files.createDirectory(dir.resolve("deploy")).toString(), "--machine",
                machine.toString(), "--stress", "3");
        assertEquals(0, run.exit(), run.err());
        Matcher m = STRESS_SUMMARY.matcher(run.out());
        assertTrue(m.find(), run.out() + run.err());
        assertTrue(Long.parseLong(m.group(1)) > 0, m.group());
        assertEquals(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) + Long.parseLong(m.group(4)), m.group());
        assertTrue(run.out().contains("HPET-MSI   2-edge      hpet-q2") && run.out().contains("HPET-MSI   3-edge      hpet-q3"),
                run.out());
    }
}
