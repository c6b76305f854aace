package org.msidomain.launcher;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Where everything logged goes: the process's standard error as it was when the launcher started, never
 * {@code System.err} or {@code System.out} at the time of the record. Gogo's ThreadIO replaces both with
 * streams that route by thread: on a command's thread they lead into the command's pipe, so a handler
 * holding Gogo's stream writes framework logs into the command's output (Felix's own logger prints to
 * {@code System.out}) or, if the session's error stream is Gogo's stream again, recurses until the stack
 * overflows.
 */
final class StderrLog {

    private StderrLog() {
    }

    /** The root java.util.logging handler (bundles' System.Logger and slf4j end there): one line per record. */
    static void install(PrintStream stderr) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler handler = new StreamHandler(stderr, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }

            /** Flushes only: closing would close the process's stderr (LogManager closes handlers at exit). */
            @Override
            public synchronized void close() {
                flush();
            }
        };
        handler.setLevel(Level.INFO);
        root.addHandler(handler);
    }

    /** Felix's logger (framework property {@code felix.log.logger}): its records as java.util.logging ones. */
    static org.apache.felix.framework.Logger felixLogger() {
        return new org.apache.felix.framework.Logger() {
            private final Logger jul = Logger.getLogger("org.apache.felix.framework");

            @Override
            protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference sr, int level,
                    String msg, Throwable throwable) {
                String who = bundle != null ? bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]: " : "";
                jul.log(level(level), who + msg, throwable);
            }
        };
    }

    private static Level level(int felixLevel) {
        return switch (felixLevel) {
            case org.apache.felix.framework.Logger.LOG_ERROR -> Level.SEVERE;
            case org.apache.felix.framework.Logger.LOG_WARNING -> Level.WARNING;
            case org.apache.felix.framework.Logger.LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
    }
}
