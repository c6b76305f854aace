package org.msidomain.app.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs the launcher's {@code -c "CMD; CMD"}: each command in turn in one Gogo session, its result
 * printed on the launcher's standard output. The first failing command ends the script with one line
 * on standard error and exit code 1.
 */
@Component(service = BiFunction.class, property = "msi.launcher.role=script")
public final class ScriptRunner implements BiFunction<String, PrintStream, Integer> {

    private final CommandProcessor processor;

    /** Ready only once the msi commands are registered, so a script never races them. */
    @Activate
    public ScriptRunner(@Reference(name = "processor") CommandProcessor processor,
            @Reference(name = "commands") MsiCommands commands) {
        this.processor = processor;
    }

    /**
     * Runs on the process's own stdin and stderr, as Gogo's shell does: {@code System.in} and
     * {@code System.err} are Gogo's per-thread streams, which inside a command lead to the session's
     * streams; a session made of them would send a command's stderr (a log record, say) back to itself until
     * the stack overflows.
     */
    @Override
    public Integer apply(String script, PrintStream out) {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err);
        try {
            for (String command : split(script)) {
                try {
                    Object result = session.execute(command);
                    CharSequence text = result == null ? "" : session.format(result, Converter.INSPECT);
                    if (text.length() > 0) { // gogo.command's stop and start return an empty string
                        out.println(text);
                    }
                } catch (Exception e) {
                    err.println(command + ": " + message(e));
                    return 1;
                }
            }
            return 0;
        } finally {
            out.flush();
            session.close();
        }
    }

    /** Splits on top-level ';' (not inside quotes, braces or brackets), dropping empty commands. */
    static List<String> split(String script) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (char c : script.toCharArray()) {
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth--;
            } else if (c == ';' && depth == 0) {
                add(commands, current);
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        add(commands, current);
        return commands;
    }

    private static void add(List<String> commands, StringBuilder command) {
        String c = command.toString().trim();
        if (!c.isEmpty()) {
            commands.add(c);
        }
    }

    /**
     * The message of the first exception that says something of its own: wrappers (reflection's, or those
     * whose message is only their cause's) are looked through, but a command's own line that names its
     * cause (the domain's {@code provider P failed on D: NullPointerException: ...}) is kept whole.
     */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof java.lang.reflect.InvocationTargetException || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
