package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's contract seen from outside, one process per case with a bounded wait: {@code -c} runs Gogo
 * commands with only their output on stdout, {@code --shell} reads commands from stdin, and bad options are
 * refused with one line and exit code 2 before anything boots.
 */
class ScriptAndShellIT {

    private static final long TIMEOUT_S = 90;

    private static final List<String> PROJECT_BUNDLES = List.of("org.msidomain.api", "org.msidomain.hw",
            "org.msidomain.core", "org.msidomain.provider.pci", "org.msidomain.provider.hpet",
            "org.msidomain.provider.dmar", "org.msidomain.provider.platform", "org.msidomain.app");

    private static final List<String> RUNTIME_BUNDLES = List.of("org.apache.felix.scr", "org.osgi.service.component",
            "org.osgi.util.promise", "org.osgi.util.function", "org.apache.felix.gogo.runtime",
            "org.apache.felix.gogo.command", "com.fasterxml.jackson.core.jackson-databind",
            "com.fasterxml.jackson.core.jackson-core", "com.fasterxml.jackson.core.jackson-annotations");

    /** What {@code lb} prints: the start level, the header, one row per bundle and an empty line. */
    private static final Pattern LB_LINE = Pattern
            .compile("|START LEVEL \\d+|\\s*ID\\|State\\s*\\|Level\\|.*|\\s*\\d+\\|[A-Za-z]+\\s*\\|\\s*\\d+\\|.*");

    record Run(int exit, String out, String err, long millis) {
    }

    static Run launch(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("msi.launcher.jar", "target/msi-launcher.jar")));
        cmd.addAll(List.of(args));
        Path in = Files.writeString(Files.createTempFile("launcher", ".in"), stdin);
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("launcher did not finish in " + TIMEOUT_S + " s: " + Files.readString(err));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), millis);
        Files.delete(in);
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    @Test
    void lbListsEveryBundleOnStdoutAndNothingElse() throws Exception {
        Run run = launch("", "-c", "lb; lb -s");
        assertEquals(0, run.exit(), run.err());
        for (String line : run.out().lines().toList()) {
            assertTrue(LB_LINE.matcher(line).matches(), "not lb output on stdout: '" + line + "'\n" + run.out());
        }
        assertTrue(run.out().contains("|MSI API ("), "lb shows bundle names: " + run.out());
        for (String bsn : PROJECT_BUNDLES) {
            assertTrue(Pattern.compile("(?m)^\\s*\\d+\\|Active\\s*\\|\\s*\\d+\\|" + Pattern.quote(bsn) + " \\(")
                    .matcher(run.out()).find(), bsn + " active in " + run.out());
        }
        for (String bsn : RUNTIME_BUNDLES) {
            assertTrue(run.out().contains("|" + bsn + " ("), bsn + " installed: " + run.out());
        }
        assertTrue(Pattern.compile("(?m)^\\s*\\d+\\|Installed\\s*\\|\\s*\\d+\\|org\\.apache\\.felix\\.gogo\\.shell \\(")
                .matcher(run.out()).find(), "the shell is installed, not started, with -c: " + run.out());
        assertFalse(run.out().contains("org.osgi.annotation") || run.out().contains("|osgi.core ("),
                "compile-only jars are not installed: " + run.out());
        assertEquals(2, run.out().lines().filter(l -> l.startsWith("START LEVEL")).count());
        System.out.println("-c \"lb; lb -s\": whole process (JVM start, boot, commands, stop) " + run.millis() + " ms");
    }

    @Test
    void theFirstFailingCommandEndsTheScript() throws Exception {
        Run run = launch("", "-c", "lb -s; nosuch; lb");
        assertEquals(1, run.exit(), run.err());
        assertEquals(List.of("nosuch: Command not found: nosuch"),
                run.err().lines().filter(l -> l.startsWith("nosuch")).toList(), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
        assertEquals(1, run.out().lines().filter(l -> l.startsWith("START LEVEL")).count(), "lb did not run: " + run.out());
        assertTrue(run.out().contains("|org.msidomain.api ("), run.out());
    }

    @Test
    void theShellReadsCommandsFromStdinAndStopsTheFrameworkAtTheEnd() throws Exception {
        Run run = launch("lb -s\n", "--shell");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("|org.msidomain.api ("), run.out());
        assertTrue(run.out().contains("|org.msidomain.core ("), run.out());
        assertFalse(run.out().contains("INFO: ") || run.out().contains("WARNING: "), "logs stay on stderr: " + run.out());
    }

    @Test
    void exitLeavesTheShellWithItsStatus() throws Exception {
        // without exit the end of input leaves with 0; a bare exit used to fail on System.exit(int)
        Run run = launch("msi:providers\nexit 4\n", "--shell");
        assertEquals(4, run.exit(), run.err());
        assertTrue(run.out().contains("SYMBOLIC NAME"), run.out());
        assertFalse(run.err().contains("Cannot coerce"), run.err());
        assertEquals(0, launch("exit\n", "--shell").exit());
    }

    @Test
    void aFunctionWithAnImsSlotArrayFiresBothStoragesFromAScript(@TempDir Path dir) throws Exception {
        Path corpus = Path.of(System.getProperty("msi.corpus", "../hardware-model/src/test/resources/corpus/public"));
        Files.copy(corpus.resolve("mellanox-mt27520-connectx3pro.txt"), dir.resolve("cx3.txt"));
        Path machine = Files.writeString(dir.resolve("m.json"), "{\"cpus\": 4, \"devices\": [{\"kind\": \"pci\", "
                + "\"name\": \"03:00.0\", \"properties\": {\"dump\": \"cx3.txt\", \"ims.slots\": 8, \"ims.bar\": 2}}]}");
        Run run = launch("", "--machine", machine.toString(), "-c", "msi:devices; msi:alloc 03:00.0 2; "
                + "msi:alloc 03:00.0 2 platform; msi:fire 03:00.0 1 3; msi:fire --storage platform 03:00.0 1 2; "
                + "msi:fire 03:00.0/platform/0; msi:interrupts");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().map(String::stripTrailing).toList();
        assertEquals(List.of(
                "DEVICE   TYPE      STATE  PROVIDER                         VECTORS",
                "03:00.0  pci       BOUND  org.msidomain.provider.pci             0",
                "03:00.0  platform  BOUND  org.msidomain.provider.platform        0"), lines.subList(0, 3),
                "a row per storage, the default first");
        assertEquals(List.of("03:00.0/1: fired 3", "03:00.0/platform/1: fired 2", "03:00.0/platform/0: fired 1"),
                lines.stream().filter(l -> l.contains(": fired ")).toList());
        List<String> rows = lines.stream().filter(l -> l.matches(" *\\d+: .*")).toList();
        assertEquals(4, rows.size(), run.out());
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            boolean slot = row.contains("03:00.0-platform-");
            assertEquals(slot ? "pMSI-0000:03:00.0" : "PCI-MSIX-0000:03:00.0", f[5], "both chips, told apart: " + row);
            long total = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[4]);
            String hwirq = f[6];
            long expected = slot ? (hwirq.equals("1-edge") ? 2 : 1) : (hwirq.equals("1-edge") ? 3 : 0);
            assertEquals(expected, total, "the fires counted on their own storage's vector: " + row);
        }
    }

    @Test
    void aScriptWaitsForAProviderSwapAndATimeoutEndsItWithOneLine() throws Exception {
        // gogo's start takes bundle ids: find the provider's first
        java.util.regex.Matcher id = Pattern.compile("(?m)^\\s*(\\d+)\\s+org\\.msidomain\\.provider\\.pci ")
                .matcher(launch("", "-c", "msi:providers").out());
        assertTrue(id.find());
        Run run = launch("", "-c", "stop org.msidomain.provider.pci; msi:await device 00:04.0 UNBOUND 30s; "
                + "msi:await provider org.msidomain.provider.pci unbound 30s; msi:await bundle org.msidomain.provider.pci resolved; "
                + "start " + id.group(1) + "; msi:await device 00:04.0 BOUND 30s; "
                + "msi:await provider org.msidomain.provider.pci bound 30s; msi:devices");
        assertEquals(0, run.exit(), run.err());
        List<String> waits = run.out().lines().filter(l -> l.contains(" after ")).toList();
        assertEquals(5, waits.size(), run.out());
        String[] expected = { "00:04.0: UNBOUND", "org.msidomain.provider.pci: unbound", "org.msidomain.provider.pci: resolved",
            "00:04.0: BOUND", "org.msidomain.provider.pci: bound" };
        for (int i = 0; i < expected.length; i++) {
            assertTrue(waits.get(i).matches(Pattern.quote(expected[i]) + " after \\d+ ms"), waits.get(i));
        }
        assertTrue(Pattern.compile("(?m)^00:04\\.0\\s+pci\\s+BOUND\\s+org\\.msidomain\\.provider\\.pci\\s+0$")
                .matcher(run.out()).find(), "bound again when the script went on: " + run.out());

        Run timeout = launch("", "-c", "msi:await device 00:04.0 BOUND 30s; msi:await device 00:04.0 UNBOUND 300ms; msi:devices");
        assertEquals(1, timeout.exit(), timeout.err());
        assertEquals(List.of("msi:await device 00:04.0 UNBOUND 300ms: 00:04.0 still BOUND after 300ms (wanted UNBOUND)"),
                timeout.err().lines().filter(l -> !l.isBlank() && !l.matches("(INFO|WARNING|SEVERE|FINE): .*")).toList());
        assertFalse(timeout.out().contains("DEVICE"), "the script ended at the timeout: " + timeout.out());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwoBeforeBooting(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        String[][] cases = {
            { "--dump", "/nonexistent", "msi-launcher: /nonexistent: no such file" },
            { "--machine", dir.toString(), "msi-launcher: " + dir + ": not a readable file" },
            { "--sysfs", notADir.toString(), "msi-launcher: " + notADir + ": not a readable directory" },
            { "--sysfs", "/nonexistent", "msi-launcher: /nonexistent: not a readable directory" },
            { "--http", "70000", "msi-launcher: --http 70000: a port is 0 to 65535" },
        };
        for (String[] c : cases) {
            Run run = launch("", c[0], c[1]);
            assertEquals(2, run.exit(), String.join(" ", c));
            assertEquals(c[2], run.err().strip());
            assertEquals("", run.out());
        }
        Run unknown = launch("", "--bogus");
        assertEquals(2, unknown.exit());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
        assertTrue(unknown.err().startsWith("msi-launcher: Unknown option: '--bogus'"), unknown.err());
    }

    @Test
    void helpAndVersionGoToStdout() throws Exception {
        Run help = launch("", "--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: msi-launcher"), help.out());
        assertTrue(help.out().contains("--http=PORT"), help.out());
        Run version = launch("", "--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("msi-launcher "), version.out());
    }
}
