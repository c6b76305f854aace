package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.launcher.LauncherIT.Run;

/**
 * Configuration files in the deploy folder, as the README shows them: FileInstall hands them to Config
 * Admin before the platform's components start, so the first machine already has them.
 */
class DeployConfigIT {

    @TempDir
    Path dir;

    @Test
    void cfgAndConfigFilesConfigureTheMachineAndTheProvidersAtBoot() throws Exception {
        Path deploy = Files.createDirectory(dir.resolve("deploy"));
        Files.copy(LauncherIT.class.getResourceAsStream("/0000:00:04.0.bin"), deploy.resolve("0000:00:04.0.bin"));
        Files.writeString(deploy.resolve("org.msidomain.machine.cfg"), "cpus = 8\ninterruptRemapping = true\n");
        Files.writeString(deploy.resolve("org.msidomain.machine.platform-ims9.cfg"), "name = ims9\nslots = 4\n");
        Files.writeString(deploy.resolve("org.msidomain.machine.pci-nic2.cfg"),
                "dump = 0000:00:04.0.bin\nslot = 00:0a.0\n");
        Files.writeString(deploy.resolve("org.msidomain.provider.pci.config"),
                "preferredVariant=\"msi\"\nservice.ranking=I\"10\"\n");

        java.util.Map<Path, String> files = new java.util.HashMap<>();
        try (var list = Files.list(deploy)) {
            list.filter(f -> f.toString().contains(".cfg") || f.toString().endsWith(".config"))
                    .forEach(f -> files.put(f, read(f)));
        }

        Run run = LauncherIT.launch("--deploy", deploy.toString(), "-c",
                "msi:devices; msi:alloc 04:00.0 1; msi:alloc ims9 2; msi:fire ims9 1 3; msi:alloc 00:0a.0 1; msi:interrupts");
        assertEquals(0, run.exit(), run.err());
        files.forEach((f, content) -> assertEquals(content, read(f), "FileInstall never rewrites " + f));
        List<String> out = run.out().lines().toList();
        assertTrue(out.stream().anyMatch(l -> l.matches("ims9 +platform +BOUND +org\\.msidomain\\.provider\\.platform +0")),
                run.out());
        assertTrue(out.stream().anyMatch(l -> l.matches("00:0a\\.0 +pci +BOUND +org\\.msidomain\\.provider\\.pci +0")),
                "a PCI function from a dump beside the .cfg file: " + run.out());
        String header = out.stream().filter(l -> l.trim().startsWith("CPU0")).findFirst().orElseThrow();
        assertTrue(header.trim().endsWith("CPU7"), "8 CPUs: " + header);
        assertTrue(run.out().contains("IR-PCI-MSI-0000:04:00.0"), "remapped, and MSI as the provider prefers: " + run.out());
        assertTrue(run.out().contains("IR-PCI-MSIX-0000:00:0a.0"), "MSI-X where the device has no MSI: " + run.out());
        String ims9 = out.stream().filter(l -> l.startsWith(" 26:")).findFirst().orElseThrow();
        assertTrue(ims9.contains("IR-pMSI-ims9   1-edge"), ims9);
        assertEquals(3, java.util.Arrays.stream(ims9.substring(4).trim().split(" +")).limit(8)
                .mapToLong(Long::parseLong).sum(), "fired 3 times: " + ims9);
        assertFalse(run.err().contains("refused"), run.err());
        assertFalse(run.err().contains("not an Integer"), "the .config file's ranking is typed: " + run.err());
    }

    @Test
    void aBadCfgFileIsOneWarningNamingPidAndKeyAndTheLaunchersMachineBoots() throws Exception {
        Path deploy = Files.createDirectory(dir.resolve("deploy"));
        Files.writeString(deploy.resolve("org.msidomain.machine.platform-bad.cfg"), "name = p1\nslots = 0\n");
        Files.writeString(deploy.resolve("org.msidomain.provider.platform.cfg"), "service.ranking = 5\n");

        Run run = LauncherIT.launch("--deploy", deploy.toString(), "-c", "msi:devices");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("WARNING: configuration refused, the machine stays as it is: "
                + "org.msidomain.machine.platform~bad: slots: 1-2048, not 0"),
                run.err().lines().filter(l -> l.contains("refused")).toList());
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("WARNING: org.msidomain.provider.platform: service.ranking "
                + "'5' is not an Integer and counts as 0")), "a .cfg ranking is a string: " + run.err());
        assertTrue(run.out().contains("ims0     platform  BOUND"), "the default machine: " + run.out());
        assertFalse(run.out().contains("p1"), run.out());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
