package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell as a person uses it, on a real pseudo-terminal: tmux runs the launcher with
 * {@code --shell}, keys are typed with {@code send-keys} and the screen is read with {@code capture-pane}.
 * Every wait polls the screen (or the exit status file) for what is expected, with a deadline; nothing
 * sleeps for a fixed time. Skipped where tmux is not installed ({@code .ci/run} installs it).
 */
class ConsoleIT {

    private static final long DEADLINE_S = 30;
    /** The boot takes longer than a keystroke's answer, more so on a loaded machine. */
    private static final long BOOT_DEADLINE_S = 90;
    private static final int COLUMNS = 160;
    private static final int ROWS = 40;

    @TempDir
    Path dir;
    private String socket;
    private Path home;

    @BeforeEach
    void tmuxIsThere() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tmux")) || onPath("tmux"),
                "tmux is not installed: the pseudo-terminal tests need it (Debian package tmux; .ci/run installs it)");
    }

    @AfterEach
    void killTmux() throws Exception {
        if (socket != null) {
            tmux(List.of("kill-server"), false);
        }
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Starts {@code --shell} in a detached tmux session of COLUMNS x ROWS and waits for the prompt. */
    private void startShell() throws Exception {
        if (socket != null) {
            tmux(List.of("kill-server"), false);
        }
        // a server of its own, its socket in the test's folder (removed with it)
        socket = dir.resolve("tmux-" + System.nanoTime() + ".sock").toString();
        home = Files.createDirectories(dir.resolve("home"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(System.getProperty("msi.launcher.jar", "target/msi-launcher.jar")).toAbsolutePath().toString();
        // the history goes to a home of the test's own; stderr (the log) to a file, so the screen is the shell's.
        // The exit status goes to a file: tmux 3.3a leaves #{pane_dead_status} empty for some dead panes (3 of
        // 20 in a loop), and a test waiting for it saw a launcher that had exited as one that never did. The
        // shell catches Ctrl-C only to outlive it (a caught signal is default again in the JVM it starts).
        String line = "trap true INT; " + quote(java) + " -Duser.home=" + quote(home.toString()) + " -jar " + quote(jar)
                + " --shell 2>" + quote(dir.resolve("stderr").toString()) + "; echo $? >" + quote(status().toString());
        tmux(List.of("new-session", "-d", "-s", "msi", "-x", Integer.toString(COLUMNS), "-y", Integer.toString(ROWS),
                "sh", "-c", line, ";", "set-option", "-t", "msi", "remain-on-exit", "on"), true);
        await(s -> lastLine(s).startsWith("g!"), "the prompt", BOOT_DEADLINE_S);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private String tmux(List<String> args, boolean check) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", socket));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TERM", "xterm"); // tmux wants a terminal type even for a detached session
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(DEADLINE_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tmux " + args + " did not return");
        }
        if (check && p.exitValue() != 0) {
            throw new AssertionError("tmux " + args + " failed: " + out);
        }
        return out;
    }

    /** Types keys: plain text, or tmux key names such as {@code Tab}, {@code Enter}, {@code C-c}. */
    private void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "msi"));
        args.addAll(Arrays.asList(keys));
        tmux(args, true);
    }

    /** Types text literally (no key names). */
    private void type(String text) throws Exception {
        tmux(List.of("send-keys", "-t", "msi", "-l", text), true);
    }

    /** Whether the line starting with {@code text} was entered: the cursor is below it. */
    private boolean accepted(String text) throws Exception {
        int cursor = Integer.parseInt(tmux(List.of("display-message", "-p", "-t", "msi", "#{cursor_y}"), true).strip());
        List<String> lines = screen().lines().toList();
        for (int row = lines.size() - 1; row >= 0; row--) {
            if (lines.get(row).startsWith(text)) {
                return cursor > row;
            }
        }
        return false;
    }

    private String screen() throws Exception {
        return tmux(List.of("capture-pane", "-p", "-t", "msi"), true);
    }

    private static String lastLine(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    private String await(Predicate<String> condition, String what) throws Exception {
        return await(condition, what, DEADLINE_S);
    }

    private String await(Predicate<String> condition, String what, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s; the screen:\n" + screen
                        + "\nstderr:\n" + readIfThere(dir.resolve("stderr")));
            }
            Thread.sleep(50); // polling another process's screen
            screen = screen();
        }
        return screen;
    }

    /** The launcher's thread dump (the pane's process is the JVM: exec), to see where it hangs. */
    private String threads() {
        try {
            long shell = Long.parseLong(tmux(List.of("display-message", "-p", "-t", "msi", "#{pane_pid}"), true).strip());
            String pid = ProcessHandle.of(shell).stream().flatMap(ProcessHandle::children).findFirst()
                    .map(h -> Long.toString(h.pid())).orElse(Long.toString(shell)); // the JVM, the pane's shell's child
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid,
                    "Thread.print").redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(DEADLINE_S, TimeUnit.SECONDS);
            return dump;
        } catch (Exception e) {
            return "no thread dump: " + e;
        }
    }

    private static String readIfThere(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Waits until the launcher has exited and returns its status (the pane's shell writes it to a file). */
    private int exitStatus() throws Exception {
        // stopping the framework (every bundle, SCR's components) takes longer than a keystroke's answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOT_DEADLINE_S);
        while (!Files.exists(status()) || !readIfThere(status()).endsWith("\n")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the launcher did not exit within " + BOOT_DEADLINE_S + " s; the screen:\n"
                        + screen() + "\nstderr:\n" + readIfThere(dir.resolve("stderr")) + "\nits threads:\n" + threads());
            }
            Thread.sleep(50); // polling the status file
        }
        return Integer.parseInt(readIfThere(status()).strip());
    }

    /** Where the pane's shell writes the launcher's exit status; one file per session. */
    private Path status() {
        return Path.of(socket + ".status");
    }

    /** The current line, the prompt and what is typed after it. */
    private static Predicate<String> promptLine(String text) {
        return s -> s.lines().anyMatch(l -> l.startsWith("g! " + text));
    }

    @Test
    void tabCompletesCommandsDevicesIrqsCpusAndProviderBundles() throws Exception {
        startShell();
        type("msi:allo");
        keys("Tab");
        await(promptLine("msi:alloc "), "msi:alloc completed");
        type("ims");
        keys("Tab");
        await(promptLine("msi:alloc ims0 "), "the device ims0 completed");
        type("2");
        keys("Enter");
        await(s -> s.contains("ims0/1 CPU"), "two vectors of ims0 allocated");

        type("msi:affinity ims0/");
        keys("Tab");
        String irqs = await(s -> s.contains("ims0/0") && s.contains("ims0/1") && !lastLine(s).startsWith("g!"),
                "the irqs of ims0 offered");
        assertTrue(Pattern.compile("ims0/0\\s+\\(irq \\d+\\)").matcher(irqs).find(), irqs);
        type("1 ");
        keys("Tab");
        String cpus = await(s -> Pattern.compile("3\\s+\\(CPU3\\)").matcher(s).find(), "the CPUs offered");
        assertTrue(Pattern.compile("0\\s+\\(CPU0\\)").matcher(cpus).find(), cpus);
        assertFalse(cpus.contains("CPU4"), "4 CPUs: " + cpus);
        keys("C-u");

        type("msi:top --it");
        keys("Tab");
        await(promptLine("msi:top --iterations "), "the option completed");
        keys("C-u");

        type("stop ");
        keys("Tab");
        await(s -> s.contains("org.msidomain.provider.pci") && s.contains("org.msidomain.provider.platform"),
                "the provider bundles offered");
        keys("C-u");
        type("exit");
        keys("Enter");
        assertEquals(0, exitStatus());
    }

    @Test
    void ctrlCStopsTopAndTheShellGoesOn() throws Exception {
        startShell();
        type("msi:alloc 00:04.0 2");
        keys("Enter");
        await(s -> s.contains("00:04.0/1 CPU"), "the allocation");
        type("msi:top -d 0.2");
        keys("Enter");
        await(s -> s.contains("msi:top | total:") && s.contains("00:04.0-1"), "msi:top's frame");
        keys("C-c");
        await(s -> lastLine(s).equals("g!") || lastLine(s).startsWith("g! "), "the prompt after Ctrl-C");
        String after = screen();
        assertFalse(after.contains("Exception"), "Ctrl-C ends the view quietly: " + after);
        type("msi:interrupts --watch 0.2");
        keys("Enter");
        await(s -> s.contains("SPU:") && !lastLine(s).startsWith("g!"), "the table refreshing");
        keys("C-c");
        String watched = await(s -> lastLine(s).startsWith("g!") && !lastLine(s).contains("watch"),
                "the prompt after Ctrl-C ended --watch");
        assertFalse(watched.contains("Exception"), "Ctrl-C ends --watch quietly: " + watched);
        type("msi:devices");
        keys("Enter");
        await(s -> s.contains("STATE  PROVIDER"), "the next command runs");
        keys("C-l");
        type("msi:fire 00:04.0 0 2000000000"); // minutes of work: only Ctrl-C ends it in time
        keys("Enter");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        while (!accepted("g! msi:fire")) { // the cursor left the line: the command runs
            if (System.nanoTime() > deadline) {
                throw new AssertionError("msi:fire did not start:\n" + screen());
            }
            Thread.sleep(50); // polling the screen
        }
        // Gogo says the command was interrupted, and prompts again. A Ctrl-C in the instant between the line's
        // acceptance and the job's start finds no job to interrupt: then the next one does
        Predicate<String> stopped = s -> s.contains("InterruptedException") && lastLine(s).startsWith("g!")
                && !lastLine(s).contains("fire");
        for (int tries = 1; !stopped.test(screen()); tries++) {
            keys("C-c");
            try {
                await(stopped, "the prompt after Ctrl-C stopped msi:fire", 3);
            } catch (AssertionError stillRunning) {
                if (tries == DEADLINE_S / 3) {
                    throw stillRunning;
                }
            }
        }
        keys("C-d");
        assertEquals(0, exitStatus(), "Ctrl-D leaves");
    }

    @Test
    void aResizedTerminalChangesTheRowsTopShows() throws Exception {
        startShell();
        type("msi:alloc ims0 8; msi:alloc queue0 4; msi:alloc 00:04.0 4");
        keys("Enter");
        await(s -> s.contains("00:04.0/3 CPU"), "16 vectors allocated");
        type("msi:top -d 0.2");
        keys("Enter");
        // 40 rows: 7 header lines and the cursor's leave 32 for rows, so all 16 irqs and SPU show
        String tall = await(s -> s.contains("msi:top | total:") && s.contains("Spurious interrupts"), "the whole table");
        assertFalse(tall.contains(" more"), tall);
        tmux(List.of("resize-window", "-t", "msi", "-y", "15"), true);
        // 15 rows leave 7: 6 irqs and the line that says 17 - 6 = 11 more
        String small = await(s -> s.contains("... 11 more"), "the table cut to the smaller screen");
        assertFalse(small.contains("Spurious interrupts"), small);
        keys("q");
        await(s -> lastLine(s).startsWith("g!"), "the prompt after q");
        type("exit");
        keys("Enter");
        assertEquals(0, exitStatus());
    }

    @Test
    void exitLeavesWithStatusZeroAndTheHistoryIsKept() throws Exception {
        startShell();
        type("msi:providers");
        keys("Enter");
        await(s -> s.contains("SYMBOLIC NAME"), "msi:providers");
        type("exit");
        keys("Enter");
        assertEquals(0, exitStatus());
        Path history = home.resolve(".gogo.history");
        assertTrue(Files.exists(history), "history file in the user's home");
        List<String> commands = Files.readAllLines(history).stream().map(l -> l.substring(l.indexOf(':') + 1)).toList();
        assertTrue(commands.contains("msi:providers"), "history: " + commands);

        // a new shell finds it: Up recalls the last command
        startShell();
        keys("Up");
        await(promptLine("exit"), "the last command recalled");
        keys("C-u");
        type("exit 3");
        keys("Enter");
        assertEquals(3, exitStatus(), "exit STATUS");
    }
}
