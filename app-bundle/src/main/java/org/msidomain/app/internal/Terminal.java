package org.msidomain.app.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;

/**
 * Whether a person watches a terminal, and the little the commands do with one: clear the screen, know its
 * height, read single keys. The launcher decides (it knows it moved {@code System.out} to stderr) and sets
 * the framework property {@value #PROPERTY}; without it, {@code System.console()} decides. Off a terminal
 * nothing here writes an escape sequence or runs {@code stty}.
 */
final class Terminal {

    /** Framework property set by the launcher: {@code true} when a terminal is attached. */
    static final String PROPERTY = "msi.terminal";
    /** Cursor home, clear the screen (ANSI). */
    static final String CLEAR = "\033[H\033[2J";

    private static final File TTY = new File("/dev/tty");

    private final boolean attached;

    Terminal(boolean attached) {
        this.attached = attached;
    }

    static Terminal of(BundleContext context) {
        String told = context == null ? null : context.getProperty(PROPERTY);
        return new Terminal(told != null ? Boolean.parseBoolean(told.trim()) : System.console() != null);
    }

    boolean attached() {
        return attached;
    }

    /** The terminal's rows, or 0 when unknown (not a terminal, no stty). */
    int rows() {
        String size = stty("size");
        if (size == null) {
            return 0;
        }
        String[] rowsCols = size.trim().split("\\s+");
        try {
            return rowsCols.length == 2 ? Integer.parseInt(rowsCols[0]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Lets single keys through without Enter (no canonical mode, no echo) until the returned handle is
     * closed, which restores the terminal as it was; a no-op where that is not possible. A shutdown hook
     * restores it too if the JVM ends meanwhile (Ctrl-C).
     */
    Keys singleKeys() {
        String saved = stty("-g");
        if (saved == null || stty("-icanon -echo min 1") == null) {
            return new Keys(false, () -> { });
        }
        Thread restore = new Thread(() -> stty(saved.trim()), "msi-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restore);
        return new Keys(true, () -> {
            stty(saved.trim());
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        });
    }

    /** The terminal's input mode while a refresh loop runs: {@code single} when keys come without Enter. */
    record Keys(boolean single, Runnable restore) implements AutoCloseable {
        @Override
        public void close() {
            restore.run();
        }
    }

    /** Runs {@code stty ARGS} on the controlling terminal; its output, or null if it failed or is not one. */
    private String stty(String args) {
        if (!attached || !TTY.canRead()) {
            return null;
        }
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
