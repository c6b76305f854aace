package org.msidomain.app.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A status line of a long job on stderr, kept at the bottom: redrawn in place a few times a second and
 * erased at the end, only when a person watches a terminal. Stdout (the table and the summary line) never
 * sees it, and off a terminal nothing at all is written. Log records (java.util.logging, where the
 * bundles' System.Logger and Felix's slf4j end up) are printed above it: while it shows, the root
 * logger's handlers are wrapped to erase the line, print the record and draw the line again.
 */
final class Progress implements AutoCloseable {

    private static final long EVERY_MS = 250;

    private final PrintStream err;
    /** The terminal's carriage return and erase to end of line (from JLine's terminfo), or null. */
    private final String eraseLine;
    private final Supplier<String> status;
    private final Thread painter;
    private final List<Handler[]> wrapped = new ArrayList<>();

    private Progress(PrintStream err, String eraseLine, Supplier<String> status) {
        this.err = err;
        this.eraseLine = eraseLine;
        this.status = status;
        this.painter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    paint();
                    Thread.sleep(EVERY_MS); // the redraw pace
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "msi-progress");
        painter.setDaemon(true);
    }

    /**
     * Starts showing {@code status} on a terminal that can erase a line; elsewhere returns a progress that
     * writes nothing.
     */
    static Progress start(Terminal terminal, Supplier<String> status) {
        Progress p = new Progress(System.err, terminal.eraseLine(), status);
        if (p.eraseLine != null) {
            p.wrapLogHandlers();
            p.painter.start();
        }
        return p;
    }

    private void paint() {
        synchronized (err) {
            err.print(eraseLine + status.get());
            err.flush();
        }
    }

    private void wrapLogHandlers() {
        Logger root = Logger.getLogger("");
        for (Handler inner : root.getHandlers()) {
            Handler outer = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    if (inner.isLoggable(record)) {
                        synchronized (err) {
                            err.print(eraseLine);
                            inner.publish(record);
                            inner.flush();
                            err.print(status.get());
                            err.flush();
                        }
                    }
                }

                @Override
                public void flush() {
                    inner.flush();
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
            root.removeHandler(inner);
            root.addHandler(outer);
            wrapped.add(new Handler[] { inner, outer });
        }
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
        Logger root = Logger.getLogger("");
        for (Handler[] pair : wrapped) {
            root.removeHandler(pair[1]);
            root.addHandler(pair[0]);
        }
        synchronized (err) {
            err.print(eraseLine);
            err.flush();
        }
    }
}
