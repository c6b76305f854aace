package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * What a person or a script watches, from outside the built jar: {@code msi:health}, {@code msi:top} (bounded
 * with {@code -n}, and quit with {@code q} in the shell), {@code msi:interrupts --watch}, and the progress line
 * of the long jobs, which appears on stderr only when a terminal is attached ({@code -Dmsi.terminal=true}
 * stands in for one here) and leaves stdout as it is.
 */
class ObserveIT {

    private static final long TIMEOUT_S = 90;
    private static final String ESC = "\033[";

    record Run(int exit, String out, String err) {
    }

    /** A launcher process with JVM options; stdin is written by {@code driver} while it runs. */
    static Run launch(List<String> jvm, Driver driver, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", System.getProperty("msi.launcher.jar", "target/msi-launcher.jar")));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // a terminal's sequences come from its type's terminfo entry: xterm's, whatever runs the tests
        // (clear \E[H\E[2J, cr \r, el \E[K)
        pb.environment().put("TERM", "xterm");
        Process p = pb.start();
        Collector out = new Collector(p.getInputStream());
        Collector err = new Collector(p.getErrorStream());
        try {
            driver.drive(p.getOutputStream(), out);
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new AssertionError("launcher did not finish in " + TIMEOUT_S + " s: " + err.text());
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        out.join();
        err.join();
        return new Run(p.exitValue(), out.text(), err.text());
    }

    static Run launch(String... args) throws Exception {
        return launch(List.of(), (in, out) -> { }, args);
    }

    @FunctionalInterface
    interface Driver {
        void drive(OutputStream stdin, Collector stdout) throws Exception;
    }

    /** Reads a stream on its own thread, so the test can wait (bounded) for what it expects. */
    static final class Collector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Collector(InputStream in) {
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0;) {
                    synchronized (bytes) {
                        bytes.write(buf, 0, n);
                    }
                }
            } catch (IOException closed) {
                // the process ended
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void await(Predicate<String> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (!condition.test(text())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + what + " within " + TIMEOUT_S + " s: " + text());
                }
                Thread.sleep(20); // polling the output of another process
            }
        }
    }

    private static long count(String text, String part) {
        return Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
    }

    @Test
    void healthIsOkAndReadyWithEveryProviderUp() throws Exception {
        Run run = launch("-c", "msi:health");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("health: OK", "  OK 12/12 devices bound", "ready: yes (12/12 devices bound)"),
                run.out().lines().toList());
    }

    @Test
    void topStopsAfterNFramesSortedByDeltaWithoutEscapesOffATerminal() throws Exception {
        Run run = launch("-c", "msi:alloc 00:04.0 2; msi:fire 00:04.0 1 5; msi:top -n 2 -d 0.2");
        assertEquals(0, run.exit(), run.err());
        assertFalse(run.out().contains(ESC), "no escape sequence off a terminal: " + run.out());
        List<String> lines = run.out().lines().toList();
        List<Integer> headers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("msi:top | ")) {
                headers.add(i);
            }
        }
        assertEquals(2, headers.size(), "two frames: " + run.out());
        int second = headers.get(1);
        assertEquals("msi:top | total: 5 delta: 0 | every 0.2 s", lines.get(second));
        assertEquals("", lines.get(headers.get(1) - 1), "an empty line ends each frame");
        assertTrue(lines.get(second + 6).matches("\\s+IRQ\\s+TOTAL\\s+DELTA\\s+CPU0\\s+CPU1\\s+CPU2\\s+CPU3  NAME"),
                lines.get(second + 6));
        assertTrue(lines.get(second + 7).matches("\\s+25\\s+5\\s+0(\\s+0){4}  PCI-MSIX-0000:00:04\\.0 1-edge 00:04\\.0-1"),
                "the busiest first: " + lines.get(second + 7));
        assertEquals("", lines.get(lines.size() - 1));
    }

    @Test
    void interruptsWatchPrintsTheSameTableEveryIntervalSeparatedByEmptyLines() throws Exception {
        Run run = launch("-c", "msi:alloc 00:04.0 2; msi:fire 00:04.0 0 3; msi:interrupts; msi:interrupts --watch 0.2 -n 2");
        assertEquals(0, run.exit(), run.err());
        String out = run.out().substring(run.out().indexOf("00:04.0/0: fired 3\n") + "00:04.0/0: fired 3\n".length());
        String[] blocks = out.split("\n\n", -1);
        assertEquals(4, blocks.length, "three tables, each followed by an empty line: " + out);
        assertEquals("", blocks[3]);
        assertEquals(blocks[0], blocks[1], "--watch prints the table of msi:interrupts");
        assertEquals(blocks[0], blocks[2]);
        assertTrue(blocks[0].contains(" 24:          3          0          0          0 PCI-MSIX-0000:00:04.0   0-edge"),
                blocks[0]);
        assertFalse(out.contains(ESC));
        Run bad = launch("-c", "msi:interrupts -n 2");
        assertEquals(1, bad.exit());
        assertEquals("msi:interrupts -n 2: -n 2: only with --watch SECONDS", bad.err().lines()
                .filter(l -> l.startsWith("msi:interrupts")).findFirst().orElse(bad.err()));
    }

    @Test
    void inTheShellTopRefreshesUntilQThenTheNextCommandRuns() throws Exception {
        Run run = launch(List.of(), (stdin, stdout) -> {
            stdin.write("msi:top -d 0.2\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            stdout.await(t -> count(t, "msi:top | ") >= 3, "three msi:top frames");
            stdin.write("q\nmsi:devices\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            stdout.await(t -> t.contains("STATE  PROVIDER"), "msi:devices after q");
        }, "--shell");
        assertEquals(0, run.exit(), run.err());
        String afterTop = run.out().substring(run.out().lastIndexOf("msi:top | "));
        assertTrue(afterTop.contains("STATE  PROVIDER"), "q ended msi:top and msi:devices ran: " + afterTop);
        assertFalse(run.out().contains(ESC), "the shell on a pipe is no terminal");
    }

    @Test
    void progressOnlyOnATerminalAndOnStderr() throws Exception {
        Run quiet = launch("--stress", "1");
        assertEquals(0, quiet.exit(), quiet.err());
        assertFalse(quiet.err().contains("\r") || quiet.err().contains(ESC), "no progress off a terminal: " + quiet.err());

        Run shown = launch(List.of("-Dmsi.terminal=true"), (in, out) -> { }, "--stress", "1");
        assertEquals(0, shown.exit(), shown.err());
        assertTrue(shown.err().contains("\r" + ESC + "Kstress: "), "the progress line on stderr: " + shown.err());
        assertTrue(Pattern.compile("stress: \\d+/1 s, \\d+ fired, \\d+ delivered, \\d+ provider swaps").matcher(shown.err())
                .find(), shown.err());
        assertFalse(shown.out().contains("\r") || shown.out().contains(ESC), "stdout untouched: " + shown.out());
        List<String> lines = shown.out().lines().toList();
        assertTrue(lines.get(0).trim().startsWith("CPU0"), lines.get(0));
        assertTrue(lines.get(lines.size() - 1).matches("fired=\\d+ delivered=\\d+ lost=0 duplicated=0 swaps=\\d+ merged=\\d+ hotplugs=\\d+"),
                lines.get(lines.size() - 1));

        Run top = launch(List.of("-Dmsi.terminal=true"), (in, out) -> { }, "-c", "msi:top -n 1");
        assertEquals(0, top.exit(), top.err());
        assertTrue(top.out().startsWith("\033[H\033[2Jmsi:top | "), "a terminal's frame clears the screen: " + top.out());
    }
}
