package org.msidomain.app.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal.Signal;
import org.jline.terminal.Terminal.SignalHandler;
import org.jline.utils.Curses;
import org.jline.utils.InfoCmp;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;
import org.osgi.framework.BundleContext;

/**
 * Whether a person watches a terminal, and what the commands do with one, through JLine: the screen's
 * height, the sequences that clear it or erase a line (from the terminal type's terminfo entry, never
 * written by hand), and the keys typed while a view refreshes.
 *
 * <p>In the interactive shell (Gogo on JLine, or Karaf's console) the session carries the JLine terminal:
 * its size is read at every frame (so a resize shows at the next one), keys arrive one by one, and Ctrl-C
 * interrupts the command. Elsewhere the launcher's framework property {@value #PROPERTY} tells whether a
 * terminal is attached (without it, {@code System.console()}), and the sequences come from the type in
 * {@code TERM}; keys are then read as lines ({@code q} then Enter). Off a terminal nothing here writes an
 * escape sequence.
 */
final class Terminal {

    /** Framework property set by the launcher: {@code true} when a terminal is attached. */
    static final String PROPERTY = "msi.terminal";
    /** Session variables that hold the JLine terminal: Gogo JLine's shell, Karaf's console. */
    private static final String[] SESSION_TERMINALS = { ".terminal", ".jline.terminal" };
    /** The terminfo entry for a terminal whose type JLine does not carry: what every ANSI terminal does. */
    private static final String FALLBACK_TYPE = "ansi";
    /** How long one key read waits at most, so an interrupt or the next frame is never late. */
    private static final long KEY_POLL_MS = 100;

    private final boolean attached;
    private final org.jline.terminal.Terminal jline;
    private final Map<Capability, String> strings;

    private Terminal(boolean attached, org.jline.terminal.Terminal jline, Map<Capability, String> strings) {
        this.attached = attached;
        this.jline = jline;
        this.strings = strings;
    }

    /** Not a terminal: plain text, lines from the input. */
    static Terminal none() {
        return new Terminal(false, null, Map.of());
    }

    /** A terminal known only by its type ({@code TERM}): its sequences, no size, keys as lines. */
    static Terminal ofType(String type) {
        String name = type == null || type.isBlank() ? FALLBACK_TYPE : type.trim();
        String caps = InfoCmp.getLoadedInfoCmp(name);
        if (caps == null) {
            caps = InfoCmp.getLoadedInfoCmp(FALLBACK_TYPE);
        }
        Map<Capability, String> strings = new EnumMap<>(Capability.class);
        InfoCmp.parseInfoCmp(caps, EnumSet.noneOf(Capability.class), new HashMap<>(), strings);
        return new Terminal(true, null, strings);
    }

    /** For the jobs (no session): the launcher's word, and the sequences of {@code TERM}. */
    static Terminal of(BundleContext context) {
        return attached(context) ? ofType(System.getenv("TERM")) : none();
    }

    /** For a command: the session's JLine terminal where there is one, else as for the jobs. */
    static Terminal of(CommandSession session, BundleContext context) {
        for (String name : SESSION_TERMINALS) {
            Object t = session == null ? null : session.get(name);
            if (t instanceof org.jline.terminal.Terminal jline) {
                return new Terminal(true, jline, Map.of());
            }
        }
        return of(context);
    }

    private static boolean attached(BundleContext context) {
        String told = context == null ? null : context.getProperty(PROPERTY);
        return told != null ? Boolean.parseBoolean(told.trim()) : System.console() != null;
    }

    boolean attached() {
        return attached;
    }

    /** The screen's rows now, or 0 when unknown. */
    int rows() {
        return jline == null ? 0 : Math.max(0, jline.getHeight());
    }

    /** What clears the screen and puts the cursor home, or null where it cannot be done (or is no terminal). */
    String clearScreen() {
        return sequence(Capability.clear_screen);
    }

    /** What moves to the start of the line and erases it, or null where it cannot be done. */
    String eraseLine() {
        String cr = sequence(Capability.carriage_return);
        String el = sequence(Capability.clr_eol);
        return cr == null || el == null ? null : cr + el;
    }

    private String sequence(Capability capability) {
        if (!attached) {
            return null;
        }
        String cap = jline != null ? jline.getStringCapability(capability) : strings.get(capability);
        return cap == null ? null : Curses.tputs(cap);
    }

    /**
     * The keys typed while a view refreshes, until closed: the terminal's own keys one by one (raw mode,
     * restored on close) in a JLine session; otherwise lines of {@code keyboard} (null: none are read).
     */
    Keys keys(InputStream keyboard) {
        if (jline != null) {
            // Ctrl-C ends the view like q, and goes back to the shell's handler afterwards: the command returns
            // as usual instead of being cancelled by the shell (which would print an InterruptedException)
            AtomicBoolean interrupted = new AtomicBoolean();
            SignalHandler shells = jline.handle(Signal.INT, signal -> interrupted.set(true));
            Attributes saved = jline.enterRawMode(); // keys without Enter, no echo; Ctrl-C still signals
            return new TerminalKeys(jline, saved, shells, interrupted);
        }
        return new LineKeys(keyboard == null ? null : new QuitKey(keyboard));
    }

    /** Waits for {@code q}. */
    interface Keys extends AutoCloseable {
        /** Waits up to {@code millis}; true as soon as {@code q} is typed. */
        boolean quit(long millis) throws InterruptedException;

        @Override
        void close();
    }

    private record TerminalKeys(org.jline.terminal.Terminal terminal, Attributes saved, SignalHandler shells,
            AtomicBoolean interrupted) implements Keys {
        @Override
        public boolean quit(long millis) throws InterruptedException {
            NonBlockingReader reader = terminal.reader();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                int c;
                try {
                    c = reader.read(Math.min(left, KEY_POLL_MS));
                } catch (InterruptedIOException e) {
                    throw new InterruptedException();
                } catch (IOException e) {
                    c = NonBlockingReader.EOF;
                }
                if (c == 'q' || c == 'Q' || interrupted.get()) {
                    return true;
                }
                if (c == NonBlockingReader.EOF) {
                    Thread.sleep(Math.max(1, left)); // no more keys: only the count or Ctrl-C ends the view
                    return false;
                }
            }
            return false;
        }

        @Override
        public void close() {
            terminal.setAttributes(saved);
            terminal.handle(Signal.INT, shells);
        }
    }

    private record LineKeys(QuitKey quit) implements Keys {
        @Override
        public boolean quit(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                if (quit != null && quit.pressed()) {
                    return true;
                }
                Thread.sleep(Math.max(1, Math.min(50, left))); // input without a terminal cannot be waited on
            }
            return quit != null && quit.pressed();
        }

        @Override
        public void close() {
            // nothing was changed
        }
    }
}
