package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
    void badInputIsOneLineNamingIt(@TempDir Path dir) {
        assertEquals("/nonexistent: no such file", parse("--dump", "/nonexistent").problem());
        assertEquals(dir + ": not a readable file", parse("--machine", dir.toString()).problem());
        assertEquals("/nonexistent: not a readable directory", parse("--sysfs", "/nonexistent").problem());
        assertEquals("--cpus 0: a machine has 1-256 CPUs", parse("--cpus", "0").problem());
        assertEquals("-c, --shell and --stress cannot be combined", parse("-c", "lb", "--shell").problem());
        assertEquals("--stress 0: 1 to 86400 seconds", parse("--stress", "0").problem());
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
