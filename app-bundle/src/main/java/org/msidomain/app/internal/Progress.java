package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * A status line of a long job on stderr, redrawn in place a few times a second and erased at the end,
 * only when a person watches a terminal: stdout (the table and the summary line) never sees it, and off
 * a terminal nothing at all is written.
 */
final class Progress implements AutoCloseable {

    static final String ERASE_LINE = "\r\033[K";
    private static final long EVERY_MS = 250;

    private final PrintStream err;
    private final Thread painter;

    private Progress(PrintStream err, Supplier<String> status) {
        this.err = err;
        this.painter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    err.print(ERASE_LINE + status.get());
                    err.flush();
                    Thread.sleep(EVERY_MS); // the redraw pace
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "msi-progress");
        painter.setDaemon(true);
    }

    /** Starts redrawing {@code status} on a terminal; elsewhere returns a progress that writes nothing. */
    static Progress start(Terminal terminal, Supplier<String> status) {
        Progress p = new Progress(System.err, status);
        if (terminal.attached()) {
            p.painter.start();
        }
        return p;
    }

    @Override
    public void close() {
        if (!painter.isAlive()) {
            return;
        }
        painter.interrupt();
        try {
            painter.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.print(ERASE_LINE);
        err.flush();
    }
}
