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

import org.junit.jupiter.api.Test;

/** Runs the built {@code msi-launcher.jar} as a user would, in its own process, with a bounded wait. */
class LauncherIT {

    record Run(int exit, String out, String err) {
    }

    static Run launch(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("msi.launcher.jar", "target/msi-launcher.jar")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not finish in 120 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err));
    }

    @Test
    void mainJobPrintsTheTableAndOneSummaryLine() throws Exception {
        Run run = launch();
        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).trim().startsWith("CPU0"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains("PCI-MSIX-0000:00:01.0   0-edge")), run.out());
        String last = lines.get(lines.size() - 1);
        assertTrue(last.matches("fired=(\\d+) delivered=\\1 lost=0"), last);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("fired=")).count());
        assertFalse(run.out().contains("INFO"), "logs stay on stderr");
    }

    @Test
    void commandsRunAndPrintOnStdout() throws Exception {
        Run run = launch("-c", "msi:providers; msi:alloc 00:04.0 2; msi:affinity 00:04.0/1 3; msi:fire 00:04.0 1 7");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("org.msidomain.provider.pci"), run.out());
        assertTrue(run.out().contains("irq 25: 00:04.0/1 CPU3"), run.out());
        assertTrue(run.out().contains("00:04.0/1: fired 7"), run.out());
        assertFalse(run.out().contains("INFO"));
    }

    @Test
    void aFailingCommandIsOneLineAndExitCodeOne() throws Exception {
        Run run = launch("-c", "msi:affinity 00:04.0/9 1");
        assertEquals(1, run.exit());
        assertTrue(run.err().lines().anyMatch(l -> l.equals("msi:affinity 00:04.0/9 1: device 00:04.0 has no vector at index 9")),
                run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace");
    }

    @Test
    void aMissingDumpIsRefusedBeforeBooting() throws Exception {
        Run run = launch("--dump", "/nonexistent/dump.bin");
        assertEquals(2, run.exit());
        assertEquals("msi-launcher: /nonexistent/dump.bin: no such file", run.err().strip());
        assertEquals("", run.out());
    }
}
