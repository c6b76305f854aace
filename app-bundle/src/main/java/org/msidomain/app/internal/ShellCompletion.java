package org.msidomain.app.internal;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.LineReaderImpl;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Completion of the {@code msi:*} commands' options and arguments in the interactive shell (Gogo on JLine):
 * device ids, irqs and {@code DEVICE/INDEX}, CPUs, MSI indexes, storage variants, and provider bundle ids for
 * the framework commands. Gogo JLine keeps its line reader in the session variable {@code .reader} and runs
 * its profile right after building it; the first command a session runs (that profile) is where its
 * completer gets wrapped: ours answers for these commands, Gogo's own (command names, its builtins) for the
 * rest. Sessions without a line reader ({@code -c}, the shell on pipes) are left alone.
 */
@Component(service = CommandSessionListener.class)
public final class ShellCompletion implements CommandSessionListener {

    /** Gogo JLine's session variable holding the line reader. */
    static final String READER = ".reader";

    private final CommandCompletion completion;

    @Activate
    public ShellCompletion(@Reference(name = "domain") MsiDomain domain, BundleContext context) {
        this.completion = new CommandCompletion(domain, context);
    }

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
        if (session.get(READER) instanceof LineReaderImpl reader) {
            Completer current = reader.getCompleter();
            if (current instanceof Wrapped w) {
                if (w.owner() != this) {
                    reader.setCompleter(new Wrapped(w.shells(), this)); // the commands were activated again
                }
            } else if (current != null) {
                reader.setCompleter(new Wrapped(current, this));
            }
        }
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        // nothing to do
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
        // nothing to do
    }

    /** Ours first; the shell's own where the command is none of ours or our answer failed. */
    private record Wrapped(Completer shells, ShellCompletion owner) implements Completer {
        @Override
        public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
            List<CommandCompletion.Choice> choices;
            try {
                List<String> words = line.words();
                int index = Math.min(line.wordIndex(), words.size());
                choices = index == 0 ? null : owner.completion.next(words.subList(0, index), line.word()
                        .substring(0, Math.min(line.wordCursor(), line.word().length())));
            } catch (RuntimeException e) {
                choices = null; // the domain went away meanwhile: the shell's own completion
            }
            if (choices == null) {
                shells.complete(reader, line, candidates);
                return;
            }
            for (CommandCompletion.Choice c : choices) {
                candidates.add(new Candidate(c.value(), c.value(), null, c.description(), null, null, c.complete()));
            }
        }
    }
}
