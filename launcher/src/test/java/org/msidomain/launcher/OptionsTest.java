package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class OptionsTest {

    private static Options parse(String... args) {
        Options o = new Options();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void dumpsBecomeANewlineSeparatedFrameworkProperty(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("0000:00:01.0.bin"), "x");
        Path b = Files.writeString(dir.resolve("b.txt"), "x");
        Options o = parse("--dump", a.toString(), "--dump", b.toString(), "--cpus", "8");
        assertNull(o.problem());
        assertEquals(a.toAbsolutePath() + "\n" + b.toAbsolutePath(), o.frameworkProperties().get("msi.machine.dumps"));
        assertEquals("8", o.frameworkProperties().get("msi.machine.cpus"));
    }

    @Test
    void asDumpedIsAFrameworkPropertyOnlyWhenGiven() {
        assertEquals("true", parse("--as-dumped").frameworkProperties().get("msi.machine.asDumped"));
        assertNull(parse().frameworkProperties().get("msi.machine.asDumped"), "the machine boots enumerated by default");
    }

    @Test
    void badInputIsOneLineNamingIt(@TempDir Path dir) {
        assertEquals("/nonexistent: no such file", parse("--dump", "/nonexistent").problem());
        assertEquals(dir + ": not a readable file", parse("--machine", dir.toString()).problem());
        assertEquals("/nonexistent: not a readable directory", parse("--sysfs", "/nonexistent").problem());
        assertEquals("--cpus 0: a machine has 1-256 CPUs", parse("--cpus", "0").problem());
        assertEquals("-c, --shell and --stress cannot be combined", parse("-c", "lb", "--shell").problem());
        assertEquals("--stress 0: 1 to 86400 seconds", parse("--stress", "0").problem());
        assertEquals("--hotplug-rate 5: applies only to --stress", parse("--hotplug-rate", "5").problem());
        assertEquals("--hotplug-rate -1: 0 to 1000 CPU offline/online cycles a second",
                parse("--stress", "3", "--hotplug-rate", "-1").problem());
        assertNull(parse("--stress", "3", "--hotplug-rate", "0").problem());
        assertEquals("50", parse("--stress", "3", "--hotplug-rate", "50").frameworkProperties().get("msi.stress.hotplugRate"));
    }

    @Test
    void archNamesABundledMachineAndIsRefusedWhenUnknownOrBesideAnotherMachineInput(@TempDir Path dir) throws IOException {
        assertEquals("arm64-gicv3-its", parse("--arch", "arm64-gicv3-its").frameworkProperties().get("msi.machine.arch"));
        assertNull(parse("--arch", "x86").problem());
        assertFalse(parse().frameworkProperties().containsKey("msi.machine.arch"));
        assertEquals("--arch sparc: not an architecture (x86, arm64-gicv3-its, arm64-gicv2m, riscv-aia-imsic)",
                parse("--arch", "sparc").problem());
        Path machine = Files.writeString(dir.resolve("machine.json"), "{}");
        assertEquals("--arch cannot be combined with --machine, --dump or --sysfs (it names a bundled machine)",
                parse("--arch", "arm64-gicv2m", "--machine", machine.toString()).problem());
        assertEquals("--arch cannot be combined with --machine, --dump or --sysfs (it names a bundled machine)",
                parse("--arch", "x86", "--sysfs", dir.toString()).problem());
    }

    @Test
    void everyOptionReachesTheBundlesAsAFrameworkProperty(@TempDir Path dir) throws IOException {
        Path machine = Files.writeString(dir.resolve("machine.json"), "{}");
        Path deploy = Files.createDirectory(dir.resolve("drop"));
        Map<String, String> p = parse("--machine", machine.toString(), "--deploy", deploy.toString(), "--stress", "5",
                "--http", "8080").frameworkProperties();
        assertEquals(machine.toAbsolutePath().toString(), p.get("msi.machine.file"));
        assertEquals(deploy.toAbsolutePath().toString(), p.get("msi.deploy.dir"));
        assertEquals("5", p.get("msi.stress.seconds"));
        assertEquals("8080", p.get("msi.http.port"));
        assertEquals("8080", p.get("org.osgi.service.http.port"));
        assertEquals("127.0.0.1", p.get("org.apache.felix.http.host"), "loopback only");
        assertEquals("true", p.get("org.apache.felix.http.enable"));
        assertEquals("false", p.get("org.apache.felix.https.enable"));
        Map<String, String> s = parse("--sysfs", dir.toString()).frameworkProperties();
        assertEquals(dir.toAbsolutePath().toString(), s.get("msi.machine.sysfs"));
        assertFalse(s.containsKey("msi.stress.seconds"));
        assertFalse(s.containsKey("msi.http.port"));
        assertFalse(s.containsKey("org.osgi.service.http.port"));
        assertEquals("false", s.get("org.apache.felix.http.enable"), "no --http: Felix HTTP opens no port");
        assertEquals("false", s.get("org.apache.felix.https.enable"));
    }

    @Test
    void relativePathsArePassedAbsolute() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path file = Files.writeString(Files.createTempFile(cwd.resolve("target"), "dump", ".bin"), "x");
        try {
            Path relative = cwd.relativize(file);
            Options o = parse("--dump", relative.toString());
            assertNull(o.problem());
            assertEquals(file.toString(), o.frameworkProperties().get("msi.machine.dumps"));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void moreRefusals(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals(file + ": not a readable directory", parse("--sysfs", file.toString()).problem());
        assertEquals("/nonexistent.json: no such file", parse("--machine", "/nonexistent.json").problem());
        assertEquals("--http 70000: a port is 0 to 65535", parse("--http", "70000").problem());
        assertEquals(file + ": not a directory (--deploy)", parse("--deploy", file.toString()).problem());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--stress", "soon"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--bogus"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--dump"));
    }

    @Test
    void cpusApplyOnlyToADumpOrSysfsMachine(@TempDir Path dir) throws IOException {
        assertEquals("--cpus 8: applies only to a machine built from --dump or --sysfs", parse("--cpus", "8").problem());
        Path machine = Files.writeString(dir.resolve("m.json"), "{}");
        assertEquals("--cpus 8: applies only to a machine built from --dump or --sysfs (give \"cpus\" in " + machine + ")",
                parse("--machine", machine.toString(), "--cpus", "8").problem());
        assertNull(parse("--sysfs", dir.toString(), "--cpus", "8").problem());
    }

    @Test
    void aDeployFolderGivenMustExistOnlyTheDefaultIsCreated(@TempDir Path dir) {
        Path missing = dir.resolve("nonexistent").resolve("x");
        assertEquals(missing + ": no such directory (--deploy; only the default deploy/ is created)",
                parse("--deploy", missing.toString()).problem());
        assertFalse(Files.exists(missing.getParent()), "nothing created at a mistyped path");
        Options none = parse();
        assertNull(none.deploy, "no folder given");
        assertEquals(Path.of("deploy"), none.deployDir());
    }

    @Test
    void aDumpThatIsNotARegularFileIsRefusedWithoutOpeningIt(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")));
        assertEquals("/dev/zero: not a regular file (a FIFO or a device is never read)",
                parse("--dump", "/dev/zero").problem());
        Path fifo = dir.resolve("0000:00:04.0.bin");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo");
        assertEquals(fifo + ": not a regular file (a FIFO or a device is never read)", parse("--dump", fifo.toString()).problem());
        assertEquals(fifo + ": not a regular file (a FIFO or a device is never read)", parse("--machine", fifo.toString()).problem());
    }

    @Test
    void anUnreadableFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("secret.bin"), "x");
        Assumptions.assumeTrue(file.toFile().setReadable(false, false) && !Files.isReadable(file),
                "running as root: every file is readable");
        assertEquals(file + ": not a readable file", parse("--dump", file.toString()).problem());
    }

    @Test
    void helpAndVersionAreRecognised() {
        CommandLine cli = new CommandLine(new Options());
        cli.parseArgs("--help");
        assertTrue(cli.isUsageHelpRequested());
        String usage = cli.getUsageMessage();
        for (String option : new String[] { "--dump", "--sysfs", "--machine", "--deploy", "--command", "--shell",
                "--stress", "--hotplug-rate", "--http", "--version" }) {
            assertTrue(usage.contains(option), option + " in " + usage);
        }
        CommandLine v = new CommandLine(new Options());
        v.parseArgs("--version");
        assertTrue(v.isVersionHelpRequested());
    }

    @Test
    void oneLineMessages() {
        assertEquals("Unable to resolve x: missing requirement y", Launcher.oneLine("Unable to resolve x:\n  missing requirement y\n"));
        assertEquals("failed", Launcher.oneLine(null));
    }

    @Test
    void noOptionsIsTheMainJobOnTheDefaultMachine() {
        Options o = parse();
        assertNull(o.problem());
        assertEquals(null, o.frameworkProperties().get("msi.machine.dumps"));
        assertEquals(Path.of("deploy").toAbsolutePath().toString(), o.frameworkProperties().get("felix.fileinstall.dir"),
                "deploy/ beside the working directory");
    }
}
