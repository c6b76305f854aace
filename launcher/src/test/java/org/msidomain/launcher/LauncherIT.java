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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
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
        assertTrue(last.matches("fired=(\\d+) delivered=\\1 lost=0 duplicated=0 swaps=5"), last);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("fired=")).count());
        assertFalse(run.out().contains("INFO"), "logs stay on stderr");
        assertFalse(run.err().contains("\r") || run.err().contains("\033[") || run.err().contains("main job: "),
                "no progress line when the output is not a terminal: " + run.err());
    }

    @Test
    void stressSoakLosesNothing() throws Exception {
        Run run = launch("--stress", "3");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        String last = lines.get(lines.size() - 1);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("fired=(\\d+) delivered=(\\d+) lost=0 duplicated=0 swaps=(\\d+) merged=(\\d+) hotplugs=(\\d+)")
                .matcher(last);
        assertTrue(m.matches(), last);
        long fired = Long.parseLong(m.group(1));
        assertEquals(fired, Long.parseLong(m.group(2)) + Long.parseLong(m.group(4)), "delivered + merged = fired");
        assertTrue(Integer.parseInt(m.group(3)) >= 5, "providers swapped: " + last);
        assertTrue(Integer.parseInt(m.group(5)) > 0, "CPUs taken offline and online (default rate): " + last);
        assertFalse(run.err().contains("delivered twice") || run.err().contains("not delivered"), run.err());
        System.out.println("stress 3 s: " + last);
    }

    @Test
    void cpuHotplugCommandsAndInterruptsShowOnlyOnlineCpus() throws Exception {
        Run run = launch("-c", "msi:alloc 00:04.0 2; msi:affinity 00:04.0/1 3; msi:cpu offline 3; msi:cpus; "
                + "msi:fire 00:04.0 1 4; msi:interrupts; msi:cpu online 3; msi:cpus");
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.contains("CPU 3: offline, 1 vectors moved\n"), out);
        assertTrue(out.contains("CPU  STATE    VECTORS\n  0  online         1\n  1  online         1\n  2  online         0\n"
                + "  3  offline        0\n"), out);
        // /proc/interrupts prints online CPUs only (for_each_online_cpu): three columns while CPU 3 is offline
        List<String> table = out.lines().dropWhile(l -> !l.trim().startsWith("CPU0")).toList();
        assertEquals("CPU0       CPU1       CPU2", table.get(0).trim(), out);
        assertTrue(table.stream().anyMatch(l -> l.matches("\\s*25:( +\\d+){3} PCI-MSIX-0000:00:04.0 +1-edge.*")
                && l.contains(" 4 ")), out);
        assertTrue(out.contains("CPU 3: online\n"), out);
        assertTrue(out.stripTrailing().endsWith("CPU  STATE   VECTORS\n  0  online        1\n  1  online        1\n"
                + "  2  online        0\n  3  online        0"), out);
        assertTrue(run.err().contains("IRQ 25: no longer affine to CPU3"), "Linux's broken-affinity line: " + run.err());
        Run last = launch("-c", "msi:cpu offline 0; msi:cpu offline 1; msi:cpu offline 2; msi:cpu offline 3");
        assertEquals(1, last.exit());
        assertTrue(last.err().lines().anyMatch(l -> l.equals("msi:cpu offline 3: CPU 3 is the last online CPU: it cannot go "
                + "offline")), last.err());
    }

    @Test
    void aSpreadAllocationShutsAManagedIrqDownWithItsLastCpuAndStartsItWithTheEventLatched() throws Exception {
        Run run = launch("-c", "msi:alloc --spread 1,0 00:04.0 3; msi:affinity 00:04.0/1; msi:affinity 00:04.0/2; "
                + "msi:cpu offline 2; msi:cpu offline 3; msi:fire 00:04.0 2 3; msi:interrupts; msi:cpu online 3; "
                + "msi:interrupts; msi:affinity 00:04.0/2 0");
        assertEquals(1, run.exit(), run.err());
        String out = run.out();
        // pre vector: every CPU (CPU0, the emptiest); the two spread: 0-1 and 2-3 (group_cpus_evenly)
        assertTrue(out.contains("irq 24: 00:04.0/0 CPU0 vector 0x20\nirq 25: 00:04.0/1 CPU1 vector 0x20\n"
                + "irq 26: 00:04.0/2 CPU2 vector 0x20\n"), out);
        assertTrue(out.contains("smp_affinity_list: 0-1\neffective_affinity_list: 1\nsmp_affinity_list: 2-3\n"
                + "effective_affinity_list: 2\n"), out);
        assertTrue(out.contains("CPU 2: offline, 1 vectors moved\nCPU 3: offline, 0 vectors moved, 1 managed shut down\n"), out);
        List<String> rows = out.lines().filter(l -> l.matches("\\s*26:.*")).toList();
        assertEquals(2, rows.size(), out);
        assertTrue(rows.get(0).matches("\\s*26:\\s+0\\s+0 PCI-MSIX-0000:00:04.0 +2-edge.*"), "held while down: " + rows.get(0));
        assertTrue(rows.get(1).matches("\\s*26:\\s+0\\s+0\\s+1 PCI-MSIX-0000:00:04.0 +2-edge.*"),
                "three raises latched in the PBA, delivered once on CPU 3: " + rows.get(1));
        assertTrue(run.err().lines().anyMatch(l -> l.equals("msi:affinity 00:04.0/2 0: irq 26 is managed: its affinity 2-3 "
                + "is fixed by its spread")), run.err());
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
    void msiAndMsixEndToEndPutCountsOnTheChosenCpuAndLspciShowsTheMessage() throws Exception {
        Run run = launch("-c", "msi:alloc 00:1f.2 1 msi; msi:affinity 00:1f.2/0 2; msi:fire 00:1f.2 0 5; "
                + "msi:alloc 00:04.0 4; msi:affinity 00:04.0/3 1; msi:fire 00:04.0 3 4; msi:interrupts; msi:lspci -vv -s 00:1f.2");
        assertEquals(0, run.exit(), run.err());
        java.util.regex.Matcher msi = java.util.regex.Pattern
                .compile("irq (\\d+): 00:1f.2/0 CPU2 vector 0x([0-9a-f]{2})").matcher(run.out());
        assertTrue(msi.find(), run.out());
        String msiIrq = msi.group(1);
        java.util.regex.Matcher msix = java.util.regex.Pattern
                .compile("irq (\\d+): 00:04.0/3 CPU1 vector 0x[0-9a-f]{2}").matcher(run.out());
        assertTrue(msix.find(), run.out());
        String msixIrq = msix.group(1);
        assertTrue(run.out().lines().anyMatch(l -> l.matches("\\s*" + msiIrq + ":\\s+0\\s+0\\s+5\\s+0 PCI-MSI-0000:00:1f.2\\s+0-edge.*")),
                run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("\\s*" + msixIrq + ":\\s+0\\s+4\\s+0\\s+0 PCI-MSIX-0000:00:04.0\\s+3-edge.*")),
                run.out());
        // APIC id 2 in address bits 19:12, the vector in the data.
        assertTrue(run.out().contains("\t\tAddress: fee02000  Data: 00" + msi.group(2) + "\n"), run.out());
        assertTrue(run.out().contains("\tCapabilities: [80] MSI: Enable+ Count=1/16 Maskable- 64bit-\n"), run.out());
    }

    @Test
    void sysfsMirrorsTheHostsOwnLspci() throws Exception {
        Path sysfs = Path.of("/sys/bus/pci/devices");
        Path lspci = Stream.of("/usr/bin/lspci", "/bin/lspci", "/usr/sbin/lspci").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(Files.isDirectory(sysfs) && lspci != null, "needs a Linux host with pciutils");
        Process p = new ProcessBuilder(lspci.toString(), "-vv").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String host = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeFalse(host.contains("<access denied>"), "needs the privilege to read the host's capabilities");
        // the host's functions as they are (the launcher's own enumeration would clear their enable bits)
        Run run = launch("--as-dumped", "--sysfs", sysfs.toString(), "-c", "msi:lspci -vv");
        assertEquals(0, run.exit(), run.err());
        List<String> expected = msiLines(host);
        List<String> actual = msiLines(run.out());
        System.out.println("--sysfs MSI/MSI-X lines identical to the host's lspci -vv: " + expected.size());
        assertFalse(expected.isEmpty(), "the host's lspci -vv shows MSI or MSI-X lines to compare: " + host);
        assertFalse(actual.isEmpty(), "the launcher's msi:lspci -vv shows them: " + run.out());
        assertEquals(expected, actual);
    }

    @Test
    void theDefaultMachinesAhciBootsWithMsiDisabledAndFiresNothingBeforeAnAllocation() throws Exception {
        // 00:1f.2 is dumped with MSI enabled and the message fee01000 / 4023 (CPU1, vector 0x23)
        Run booted = launch("-c", "msi:lspci -vv -s 00:1f.2; msi:fire 00:1f.2 0 3; msi:interrupts");
        assertEquals(1, booted.exit(), booted.err());
        assertTrue(booted.out().contains("\tCapabilities: [80] MSI: Enable- Count=1/16 Maskable- 64bit-\n"
                + "\t\tAddress: fee01000  Data: 4023\n"), booted.out());
        assertEquals(List.of("msi:fire 00:1f.2 0 3: 00:1f.2 has no vectors, so nothing would be delivered: allocate them first (msi:alloc 00:1f.2 COUNT)"),
                booted.err().lines().filter(l -> l.startsWith("msi:")).toList(), booted.err());

        Run asDumped = launch("--as-dumped", "-c", "msi:lspci -vv -s 00:1f.2; msi:fire 00:1f.2 0 3; msi:interrupts");
        assertEquals(0, asDumped.exit(), asDumped.err());
        assertTrue(asDumped.out().contains("\tCapabilities: [80] MSI: Enable+ Count=1/16 Maskable- 64bit-\n"), asDumped.out());
        assertTrue(asDumped.out().lines().anyMatch(l -> l.matches("SPU:\\s+0\\s+3\\s+0\\s+0\\s+Spurious interrupts")),
                "the dump's message reaches CPU1, where no interrupt owns vector 0x23: " + asDumped.out());
    }

    /** The MSI and MSI-X lines of lspci -vv output (the corpus README's definition). */
    private static List<String> msiLines(String lspciVv) {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "^\\s*(Capabilities: \\[[0-9a-f]+\\] MSI(-X)?: .*|Address: .*Data: .*|Masking: .*|Vector table: .*|PBA: .*)$");
        return lspciVv.lines().filter(l -> line.matcher(l).matches()).toList();
    }

    /** The host's pciutils 3.9.0 (as the corpus was recorded), or null. */
    private static Path pciutils39() throws IOException, InterruptedException {
        Path lspci = Path.of("/usr/bin/lspci");
        if (!Files.isExecutable(lspci)) {
            return null;
        }
        Process p = new ProcessBuilder(lspci.toString(), "--version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return version.lines().anyMatch(l -> l.equals("lspci version 3.9.0")) ? lspci : null;
    }

    @Test
    void asDumpedPrintsTheDumpsMsiLinesAsPciutilsAndWithoutItLinuxsEnumerationClearsTheEnableBits() throws Exception {
        Path lspci = pciutils39();
        Assumptions.assumeTrue(lspci != null, "needs pciutils 3.9.0 at /usr/bin/lspci");
        Path corpus = Path.of(System.getProperty("msi.corpus", "../hardware-model/src/test/resources/corpus/public"));
        // an 82576 with MSI-X enabled in its dump, a Fiji GPU with MSI enabled
        for (String name : List.of("intel-82576-igb.txt", "amd-fiji-gpu.txt")) {
            Path dump = corpus.resolve(name);
            Process p = new ProcessBuilder(lspci.toString(), "-F", dump.toString(), "-vv")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            List<String> expected = msiLines(theirs);
            assertTrue(expected.stream().anyMatch(l -> l.matches("\\tCapabilities: \\[[0-9a-f]+\\] MSI(-X)?: Enable\\+.*")),
                    name + " has an enabled capability: " + expected);

            Run asDumped = launch("--as-dumped", "--dump", dump.toString(), "-c", "msi:lspci -vv");
            assertEquals(0, asDumped.exit(), asDumped.err());
            assertEquals(String.join("\n", expected), String.join("\n", msiLines(asDumped.out())), name + " as dumped");

            Run booted = launch("--dump", dump.toString(), "-c", "msi:lspci -vv");
            assertEquals(0, booted.exit(), booted.err());
            List<String> enumerated = expected.stream()
                    .map(l -> l.replaceFirst("^(\\tCapabilities: \\[[0-9a-f]+\\] MSI(-X)?: )Enable\\+", "$1Enable-")).toList();
            assertEquals(String.join("\n", enumerated), String.join("\n", msiLines(booted.out())),
                    name + " as Linux finds it (pci_msi_init, pci_msix_init): Enable-, the rest unchanged");
        }
    }

    @Test
    void aBadMachineDescriptionIsRefusedWithItsJsonPath() throws Exception {
        String[][] cases = {
            { "{\"cpus\": 0}", "$.cpus: 0 CPUs is impossible (1-256)" },
            { "{\"cpus\": \"4\"}", "$.cpus: \"4\" is not an integer" },
            { "{\"platform\": [{\"name\": \"ims 0\", \"slots\": 2}]}",
                "$.platform[0].name: 'ims 0' is not a device name (a letter, then letters, digits, _ . -; 1-32 characters)" },
        };
        for (String[] c : cases) {
            Path json = Files.writeString(Files.createTempFile("machine", ".json"), c[0]);
            Run run = launch("--machine", json.toString(), "-c", "msi:devices");
            assertEquals(2, run.exit(), run.err());
            assertEquals(List.of("msi-launcher: " + json + ": " + c[1]), run.err().lines().toList(), "checked before booting");
            assertEquals("", run.out());
        }
    }

    @Test
    void aBadDumpIsOneWarningLineAndTheRestBoots() throws Exception {
        Path dir = Files.createTempDirectory("dumps");
        Path bad = Files.writeString(dir.resolve("bad.txt"), "00:07.0 x\n00: 00 000 00\n");
        Path good = dir.resolve("0000:00:04.0.bin");
        try (var in = LauncherIT.class.getResourceAsStream("/0000:00:04.0.bin")) {
            Files.copy(in, good);
        }
        Run run = launch("--dump", bad.toString(), "--dump", good.toString(), "-c", "msi:devices");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.equals("WARNING: " + bad + ":2: malformed line")), run.err());
        assertTrue(run.out().contains("00:04.0  pci   BOUND"), run.out());
        assertFalse(run.err().contains("\tat "), "no stack trace");
    }

    @Test
    void inputsThatAreNotDumpsOrOptionsThatCannotApplyAreOneLineAndExitTwo() throws Exception {
        Path dir = Files.createTempDirectory("inputs");
        Path fifo = dir.resolve("0000:00:04.0.bin");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0 && Files.exists(Path.of("/dev/zero")), "needs mkfifo and /dev/zero");
        Path shortText = Files.writeString(dir.resolve("short.txt"), "00:04.0 x\n00: 86 80 12 34\n");
        Path plain = Files.writeString(dir.resolve("notes.txt"), "00:04.0 Ethernet controller: Intel 82574L\n"
                + "\tCapabilities: [a0] MSI-X: Enable+ Count=5 Masked-\n");
        Path missingDeploy = dir.resolve("nonexistent").resolve("x");
        String[][] cases = {
            { "--dump /dev/zero", "msi-launcher: /dev/zero: not a regular file (a FIFO or a device is never read)" },
            { "--dump " + fifo, "msi-launcher: " + fifo + ": not a regular file (a FIFO or a device is never read)" },
            { "--dump " + shortText, "msi-launcher: " + shortText + ":1: 00:04.0 has 4 bytes, less than the 64-byte header" },
            { "--dump " + plain, "msi-launcher: " + plain
                + ": no dump in it (neither a binary config space nor the hex lines of lspci -x)" },
            { "--cpus 8", "msi-launcher: --cpus 8: applies only to a machine built from --dump or --sysfs" },
            { "--deploy " + missingDeploy, "msi-launcher: " + missingDeploy
                + ": no such directory (--deploy; only the default deploy/ is created)" },
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of(c[0].split(" ")));
            args.addAll(List.of("-c", "msi:devices"));
            long start = System.nanoTime();
            Run run = launch(args.toArray(String[]::new));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertEquals(2, run.exit(), c[0] + ": " + run.err());
            assertEquals(List.of(c[1]), run.err().lines().toList(), c[0]);
            assertEquals("", run.out(), c[0]);
            assertTrue(seconds < 30, c[0] + " took " + seconds + " s: refused before booting, not after a wait");
        }
        assertFalse(Files.exists(missingDeploy.getParent()), "no folder created at a mistyped --deploy");
    }

    @Test
    void aSysfsTreeIsOnlyReadAndItsBadFunctionsAreLeftOutWithOneLineEach() throws Exception {
        Path tree = Files.createTempDirectory("sysfs");
        for (String bdf : new String[] { "0000:00:04.0", "0000:00:06.0" }) {
            try (var in = LauncherIT.class.getResourceAsStream("/0000:00:04.0.bin")) {
                Files.copy(in, Files.createDirectory(tree.resolve(bdf)).resolve("config"));
            }
        }
        Path truncated = Files.write(Files.createDirectory(tree.resolve("0000:00:09.0")).resolve("config"), new byte[10]);
        Path notAFile = Files.createDirectories(tree.resolve("0000:00:0b.0").resolve("config"));
        Files.createDirectory(tree.resolve("power")); // not a function: no config
        Map<String, String> before = snapshot(tree);

        Run run = launch("--sysfs", tree.toString(), "-c", "msi:alloc 00:04.0 4; msi:affinity 00:04.0/1 2; "
                + "msi:mask 00:04.0/1; msi:fire 00:04.0 1 3; msi:unmask 00:04.0/1; msi:alloc 00:06.0 2; msi:devices; "
                + "msi:lspci -vv -s 00:04.0");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("WARNING: " + truncated + ": 10 bytes is less than the 64-byte header",
                "WARNING: " + notAFile + ": not a regular file (a FIFO, a device or a directory is never read)"),
                run.err().lines().filter(l -> l.startsWith("WARNING: " + tree)).toList(), run.err());
        assertTrue(run.out().contains("00:04.0  pci   BOUND") && run.out().contains("00:06.0  pci   BOUND"), run.out());
        assertTrue(run.out().contains("\tCapabilities: [98] MSI-X: Enable+ Count=4 Masked-\n"), "programmed: " + run.out());
        assertEquals(before, snapshot(tree), "the launcher wrote nothing under the --sysfs tree");
    }

    /** Every path under a tree with its size, modification time and content hash. */
    private static Map<String, String> snapshot(Path tree) throws Exception {
        Map<String, String> files = new java.util.TreeMap<>();
        try (var paths = Files.walk(tree)) {
            for (Path p : paths.toList()) {
                String content = Files.isRegularFile(p) ? java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "dir";
                files.put(tree.relativize(p).toString(), content + " " + Files.size(p) + " " + Files.getLastModifiedTime(p));
            }
        }
        return files;
    }

    @Test
    void wrongShellArgumentsAreOneLineAndChangeNothing() throws Exception {
        String[][] cases = {
            { "msi:alloc 00:09.0 1", "unknown device 00:09.0" },
            { "msi:alloc 00:01.0 99", "device 00:01.0: MSI-X table has 5 entries, 99 vectors requested" },
            { "msi:fire 00:04.0 7", "MSI-X vector 7 beyond the table size 4" },
            { "msi:affinity 00:04.0/0 9", "CPU 9 out of range 0-3" },
            { "msi:free 00:01.0", "device 00:01.0 has no vectors to free" },
        };
        for (String[] c : cases) {
            Run run = launch("-c", "msi:alloc 00:04.0 4; " + c[0] + "; msi:devices");
            assertEquals(1, run.exit(), c[0]);
            assertEquals(List.of(c[0] + ": " + c[1]), run.err().lines().filter(l -> l.startsWith("msi:")).toList(), c[0]);
        }
        Run twice = launch("-c", "msi:alloc 00:04.0 4; msi:free 00:04.0; msi:free 00:04.0");
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("msi:free 00:04.0: device 00:04.0 has no vectors to free"), twice.err());
        assertTrue(twice.out().contains("00:04.0: freed 4 vectors"), "the first free worked: " + twice.out());
    }

    @Test
    void aMissingDumpIsRefusedBeforeBooting() throws Exception {
        Run run = launch("--dump", "/nonexistent/dump.bin");
        assertEquals(2, run.exit());
        assertEquals("msi-launcher: /nonexistent/dump.bin: no such file", run.err().strip());
        assertEquals("", run.out());
    }
}
