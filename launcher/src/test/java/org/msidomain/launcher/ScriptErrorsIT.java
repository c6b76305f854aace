package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.launcher.ScriptAndShellIT.Run;
import org.msidomain.launcher.bad.ThrowingProvider;

/**
 * What {@code -c} does with wrong commands, failing providers and logging on the command's thread: one line
 * per wrong command with the command's usage, framework commands that take bundle ids as in the shell,
 * stderr and log records written from a command's thread reaching stderr (not a StackOverflowError in
 * Gogo's per-thread streams), and a shutdown without Event Admin or domain errors.
 */
class ScriptErrorsIT {

    private static Run c(String script) throws Exception {
        return ScriptAndShellIT.launch("", "-c", script);
    }

    /** The lines of stderr that are neither log records nor blank. */
    private static List<String> errorLines(Run run) {
        return run.err().lines().filter(l -> !l.isBlank() && !l.matches("(INFO|WARNING|SEVERE|FINE): .*")).toList();
    }

    @Test
    void everyWrongCommandIsOneLineWithItsUsageAndExitCodeOne() throws Exception {
        String[][] cases = {
            { "msi:alloc x y", "COUNT 'y' is not a number; usage: msi:alloc DEVICE COUNT [VARIANT]" },
            { "msi:alloc 00:04.0", "usage: msi:alloc DEVICE COUNT [VARIANT]" },
            { "msi:affinity 00:04.0/0 one", "CPU 'one' is not a number; usage: msi:affinity IRQ [CPU|CPULIST]" },
            { "msi:devices all", "usage: msi:devices" },
            { "msi:write fee00000 100000041", "DATA 100000041 is wider than 32 bits; usage: msi:write [--from DEVICE] ADDRESS DATA" },
            { "msi:fire 00:01.0 0", "00:01.0 has no vectors, so nothing would be delivered: allocate them first (msi:alloc 00:01.0 COUNT)" },
        };
        for (String[] k : cases) {
            Run run = c("msi:alloc 00:04.0 2; " + k[0] + "; msi:devices");
            assertEquals(1, run.exit(), k[0] + "\n" + run.err());
            assertEquals(List.of(k[0] + ": " + k[1]), errorLines(run), k[0]);
            assertEquals(2, run.out().lines().filter(l -> l.startsWith("irq ")).count(), "only the first command ran: " + run.out());
            assertFalse(run.out().contains("DEVICE"), "the script ended at the wrong command: " + run.out());
        }
    }

    @Test
    void msiWriteTakesTheHexItPrintsAndTreatsDeliveryModesAsTheModelDelivers() throws Exception {
        Run run = c("msi:write fee01000 00000041; msi:write 0xfee02000 0x00000141; msi:write fee00000 00000441; "
                + "msi:write fee0100c 00000041");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of(
                "write fee01000 <- 00000041: delivered to CPU1 vector 0x41 (spurious: no interrupt owns that vector)",
                "write fee02000 <- 00000141: delivered to CPU2 vector 0x41 (lowest priority, one destination: as fixed)"
                        + " (spurious: no interrupt owns that vector)",
                "write fee00000 <- 00000441: dropped: delivery mode NMI (100) is not modelled",
                "write fee0100c <- 00000041: dropped: logical destination mode (address bit 2) is not modelled"),
                run.out().lines().toList());
    }

    @Test
    void hpetAllocationTakesTheTimersThatDeliverByFsb() throws Exception {
        Run run = c("msi:alloc hpet 2; msi:fire hpet 3 4; msi:interrupts");
        assertEquals(0, run.exit(), run.err());
        // the default machine's HPET: timers 0 and 1 without Tn_FSB_INT_DEL_CAP, 2-7 with it
        Matcher m = Pattern.compile("(?m)^irq (\\d+): hpet/2 CPU\\d vector 0x[0-9a-f]{2}\nirq (\\d+): hpet/3 CPU(\\d) ")
                .matcher(run.out());
        assertTrue(m.find(), run.out());
        int cpu = Integer.parseInt(m.group(3));
        assertTrue(Pattern.compile("(?m)^\\s*" + m.group(2) + ":" + "\\s+0".repeat(cpu) + "\\s+4\\s.*HPET-MSI\\s+3-edge\\s+hpet-3$")
                .matcher(run.out()).find(), run.out());
    }

    @Test
    void frameworkCommandsTakeBundleIdsAsInTheShell() throws Exception {
        Matcher id = Pattern.compile("(?m)^\\s*(\\d+)\\s+org\\.msidomain\\.provider\\.pci ").matcher(c("msi:providers").out());
        assertTrue(id.find());
        String n = id.group(1);
        Run run = c("stop " + n + "; msi:providers; start " + n + "; msi:providers");
        assertEquals(0, run.exit(), run.err());
        String[] tables = run.out().split("(?m)^(?=ID )");
        assertEquals(2, tables.length, run.out());
        assertFalse(tables[0].contains("org.msidomain.provider.pci"), "stopped: " + tables[0]);
        assertTrue(Pattern.compile("(?m)^\\s*" + n + "\\s+org\\.msidomain\\.provider\\.pci\\s.*\\spci\\s+active\\s+8\\s+0$")
                .matcher(tables[1]).find(), "started and bound again: " + tables[1]);
        assertEquals(List.of(), errorLines(run));
    }

    @Test
    void aProviderThatThrowsOnTheCommandThreadGivesItsReasonAndItsEvent(@TempDir Path dir) throws Exception {
        Path jar = throwingProviderBundle(dir);
        String reason = "provider org.msidomain.launcher.bad failed on ims0: NullPointerException: bug in writeMsg";
        Run run = c("b = $.context installBundle " + jar.toUri() + "; $b start; bad:alloc ims0; msi:why ims0; msi:alloc ims0 1; msi:devices");
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.out().contains("refused: IllegalStateException: " + reason + "\nevent: org/msidomain/device/FAILED ims0: "
                + reason + "\n"), run.out());
        assertTrue(run.out().contains("ims0: failed: " + reason + "\n"), run.out());
        assertEquals(List.of("msi:alloc ims0 1: " + reason), errorLines(run), run.err());
        assertTrue(run.err().contains("SEVERE: " + reason + "\n"), "the domain's log record on stderr: " + run.err());
        assertFalse(run.err().contains("StackOverflowError") || run.out().contains("StackOverflowError"), run.err());
    }

    @Test
    void aFrameworkErrorOnTheCommandThreadGoesToStderrNotStdout(@TempDir Path dir) throws Exception {
        Path jar = throwingProviderBundle(dir);
        Run run = c("b = $.context installBundle " + jar.toUri() + "; $b start; bad:listener; msi:devices");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("listener called\n"), run.out());
        assertFalse(run.out().contains("bug in a service listener") || run.out().contains("ERROR"), run.out());
        assertTrue(run.err().contains("SEVERE: org.msidomain.launcher.bad [") && run.err().contains(
                "]: EventDispatcher: Error during dispatch.\njava.lang.IllegalStateException: bug in a service listener\n"),
                run.err());
        assertTrue(run.out().contains("ims0"), "the next command ran: " + run.out());
    }

    @Test
    void aCommandWritingToStderrReachesStderr() throws Exception {
        Run run = c("e = ((($.context getBundle 0) loadClass java.lang.System) getField err) get null; "
                + "$e println from-the-command; msi:devices");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().lines().anyMatch("from-the-command"::equals), run.err());
        assertFalse(run.out().contains("from-the-command"), run.out());
        assertTrue(run.out().contains("ims0"), "the next command ran: " + run.out());
    }

    @Test
    void repeatedScriptsStopWithoutEventAdminOrDomainErrors() throws Exception {
        // gogo's start takes bundle ids (or URLs), stop takes symbolic names too
        Matcher id = Pattern.compile("(?m)^\\s*(\\d+)\\s+org\\.msidomain\\.provider\\.pci ").matcher(c("msi:providers").out());
        assertTrue(id.find());
        for (int i = 0; i < 10; i++) {
            Run run = c("msi:alloc 00:04.0 2; msi:fire 00:04.0 1 3; stop org.msidomain.provider.pci; "
                    + "start " + id.group(1) + "; msi:devices");
            assertEquals(0, run.exit(), run.err());
            assertTrue(Pattern.compile("(?m)^00:04\\.0\\s+pci\\s+BOUND\\s+org\\.msidomain\\.provider\\.pci\\s+2$")
                    .matcher(run.out()).find(), "run " + i + ", the provider restarted and bound again: " + run.out());
            assertFalse(run.out().contains("Exception"), "run " + i + ": " + run.out());
            assertFalse(run.err().contains("Event Task Processing Interrupted"), "run " + i + ": " + run.err());
            assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "run " + i + ": " + run.err());
            assertEquals(List.of(), errorLines(run), "run " + i);
        }
    }

    /** The bundle of {@link ThrowingProvider}: its one class from the test classes and a manifest. */
    private static Path throwingProviderBundle(Path dir) throws Exception {
        String entry = ThrowingProvider.class.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", ThrowingProvider.class.getPackageName());
        a.putValue("Bundle-Version", "6.6.6");
        a.putValue("Bundle-Activator", ThrowingProvider.class.getName());
        a.putValue("Import-Package", "org.msidomain.api,org.msidomain.hw,org.msidomain.spi,org.osgi.framework,"
                + "org.osgi.service.event");
        Path jar = dir.resolve("throwing-provider.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
                var in = ThrowingProvider.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
