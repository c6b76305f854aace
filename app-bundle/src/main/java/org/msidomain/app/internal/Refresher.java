package org.msidomain.app.internal;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Shows a frame at once and then every interval, until {@code count} frames are shown (0: no limit) or
 * {@code q} is typed. On a terminal each frame first clears the screen (the terminal's own sequence, from
 * JLine); elsewhere, or where the terminal cannot clear, frames follow each other as they are, each ending
 * with one empty line, with no escape sequence.
 */
final class Refresher {

    static final long MIN_INTERVAL_MS = 100;
    static final long MAX_INTERVAL_MS = 3_600_000;

    private final PrintStream out;
    private final Terminal terminal;
    private final java.io.InputStream keyboard;
    private final long intervalNanos;
    private final int count;

    /**
     * @param keys the session's input, or null not to read it (a bounded run off a terminal leaves the
     *             input to the commands after it)
     */
    Refresher(PrintStream out, Terminal terminal, java.io.InputStream keys, long intervalMillis, int count) {
        this.out = out;
        this.terminal = terminal;
        this.keyboard = keys;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.count = count;
    }

    /**
     * Runs the frames ({@code frame.apply(n)} gives frame n, from 0); returns how many were shown. An
     * interrupt (Ctrl-C in the shell) ends the view like {@code q}.
     */
    int run(IntFunction<String> frame) {
        long start = System.nanoTime();
        int shown = 0;
        String clear = terminal.clearScreen();
        try (Terminal.Keys keys = terminal.keys(keyboard)) {
            while (true) {
                String text = frame.apply(shown);
                out.print(clear != null ? clear + text : text + "\n");
                out.flush();
                shown++;
                if (count > 0 && shown >= count) {
                    return shown;
                }
                long next = start + shown * intervalNanos;
                // rounded up: a frame never comes before its time (truncating made one up to 1 ms early)
                if (keys.quit(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime() + 999_999)))) {
                    return shown;
                }
            }
        } catch (InterruptedException e) {
            return shown; // the shell's Ctrl-C: back to the prompt
        }
    }

    /** An interval in seconds ({@code 1}, {@code 0.5}) as milliseconds, 0.1 to 3600 s. */
    static long intervalMillis(String option, String seconds) {
        BigDecimal s;
        try {
            s = new BigDecimal(seconds.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + seconds + ": not a number of seconds");
        }
        long ms = s.movePointRight(3).longValue();
        if (s.compareTo(BigDecimal.valueOf(MIN_INTERVAL_MS, 3)) < 0 || s.compareTo(BigDecimal.valueOf(MAX_INTERVAL_MS, 3)) > 0) {
            throw new IllegalArgumentException(option + " " + seconds + ": the interval is 0.1 to 3600 seconds");
        }
        return ms;
    }

    /** A frame count, at least 1; empty for none (no limit). */
    static int count(String option, String text) {
        if (text.isEmpty()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(option + " " + text + ": the count is a whole number, at least 1");
    }

    /** Seconds as given, for headers: {@code 1}, {@code 0.5}. */
    static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }
}
