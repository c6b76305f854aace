package org.msidomain.app.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code msi:top}: a live per-CPU, per-interrupt rate view refreshed every interval, sorted by delta, in
 * the spirit of util-linux {@code irqtop}; {@code q} (then Enter off the shell's terminal) or Ctrl-C in the
 * shell quits, {@code -n} stops after that many frames. The frame format is in {@link TopScreen}.
 */
@Component(service = TopCommand.class, property = { "osgi.command.scope=msi", "osgi.command.function=top" })
public final class TopCommand {

    /** Lines of the frame above the rows, and one left for the shell's cursor line. */
    private static final int HEADER_LINES = 7;

    private final MsiDomain domain;
    private final BundleContext context;

    @Activate
    public TopCommand(@Reference(name = "domain") MsiDomain domain, BundleContext context) {
        this.domain = domain;
        this.context = context;
    }

    @Descriptor("live interrupt rates per CPU, sorted by delta (q or Ctrl-C quits)")
    public Object top(CommandSession session,
            @Descriptor("seconds between refreshes (0.1-3600, default 1)") @Parameter(names = { "-d", "--delay" },
                    absentValue = "1") String delay,
            @Descriptor("stop after this many refreshes") @Parameter(names = { "-n", "--iterations" },
                    absentValue = "") String iterations) throws InterruptedException {
        long interval = Refresher.intervalMillis("-d", delay);
        int count = Refresher.count("-n", iterations);
        Terminal terminal = Terminal.of(session, context);
        IrqRates.Sample[] previous = new IrqRates.Sample[1];
        new Refresher(session.getConsole(), terminal, keys(session, terminal, count), interval, count).run(n -> {
            IrqRates.Sample now = IrqRates.Sample.take(domain);
            int rows = terminal.rows(); // at every frame: a resized terminal shows at the next one
            String frame = TopScreen.format(new IrqRates(previous[0], now), interval,
                    rows > HEADER_LINES + 1 ? rows - HEADER_LINES - 1 : 0);
            previous[0] = now;
            return frame;
        });
        return null;
    }

    /** A bounded run off a terminal does not touch the input: it belongs to the commands after it. */
    static java.io.InputStream keys(CommandSession session, Terminal terminal, int count) {
        return terminal.attached() || count == 0 ? session.getKeyboard() : null;
    }
}
