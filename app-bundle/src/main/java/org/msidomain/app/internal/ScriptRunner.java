package org.msidomain.app.internal;

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

    @Override
    public Integer apply(String script, PrintStream out) {
        CommandSession session = processor.createSession(System.in, out, System.err);
        try {
            for (String command : split(script)) {
                try {
                    Object result = session.execute(command);
                    if (result != null) {
                        out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    System.err.println(command + ": " + message(e));
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

    /** The root cause's message: what the user needs, without the wrapping of the shell. */
    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
