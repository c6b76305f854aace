package org.msidomain.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import picocli.CommandLine;

/**
 * Boots Apache Felix with the platform's bundles, which it carries inside itself, then runs the main
 * job, a Gogo script ({@code -c}) or the interactive shell. It links no bundle's classes: it meets the
 * jobs through services of JDK types, registered with the property {@value #ROLE}.
 *
 * <p>Standard output carries only job and command output; everything the framework and the bundles log
 * goes to standard error.
 */
public final class Launcher implements Callable<Integer> {

    static final String ROLE = "msi.launcher.role";
    static final long READY_TIMEOUT_MS = 60_000;
    private static final String GOGO_SHELL = "org.apache.felix.gogo.shell";
    /** The shell on a terminal: Gogo on JLine 3 (line editing, history in ~/.gogo.history, completion, Ctrl-C). */
    private static final String GOGO_JLINE = "org.apache.felix.gogo.jline";
    private static final String JLINE = "org.jline";
    /** Started only by --shell, one of them. */
    private static final Set<String> SHELLS = Set.of(GOGO_SHELL, GOGO_JLINE);
    /** Started only with --http: the HTTP server and the web view; without it no port is opened. */
    private static final Set<String> WEB_BUNDLES = Set.of("org.apache.felix.http.jetty",
            "org.msidomain.web");
    /**
     * Read by both shells' activators (Gogo shell 1.1.4, Gogo JLine 1.1.8), which run
     * {@code gosh --login <gosh.args>} on the console's own file descriptors: no {@code --nointeractive}, so
     * it reads commands until end of input or {@code exit}, then stops the framework (no {@code --noshutdown}).
     */
    static final String GOSH_ARGS = "gosh.args";
    /**
     * Framework property telling the bundles whether a person watches a terminal (progress lines, msi:top's
     * screen); {@code -Dmsi.terminal=true|false} overrides the launcher's own check.
     */
    static final String TERMINAL = "msi.terminal";

    /** Felix's framework property for a logger object (FelixConstants.LOG_LOGGER_PROP). */
    static final String FELIX_LOGGER = "felix.log.logger";

    private final Options options;
    private final PrintStream out;

    Launcher(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        // one line per log record, on stderr: "WARNING: message"
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        if (System.getProperty("org.eclipse.jetty.LEVEL") == null) {
            System.setProperty("org.eclipse.jetty.LEVEL", "WARN"); // Jetty's own start-up chatter; Felix HTTP says the port
        }
        PrintStream out = System.out;
        StderrLog.install(System.err); // the process's stderr, before anything (Gogo) replaces System.err
        Options options = new Options();
        CommandLine cli = new CommandLine(options);
        int code;
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(out);
                code = 0;
            } else if (cli.isVersionHelpRequested()) {
                cli.printVersionHelp(out);
                code = 0;
            } else {
                // the options, then the machine's inputs: refused before anything boots, in one line
                String problem = options.problem();
                if (problem == null) {
                    problem = MachineInputs.problem(options);
                }
                if (problem != null) {
                    System.err.println("msi-launcher: " + oneLine(problem));
                    code = 2;
                } else {
                    code = parsed != null ? new Launcher(options, out).call() : 2;
                }
            }
        } catch (CommandLine.ParameterException e) {
            System.err.println("msi-launcher: " + e.getMessage());
            code = 2;
        }
        out.flush();
        System.exit(code);
    }

    @Override
    public Integer call() {
        System.setOut(System.err); // logs of the framework and the bundles never reach stdout
        AtomicReference<Framework> framework = new AtomicReference<>();
        AtomicReference<Path> storage = new AtomicReference<>();
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanup = () -> {
            if (cleaned.compareAndSet(false, true)) {
                stop(framework.get());
                delete(storage.get());
            }
        };
        Thread hook = new Thread(cleanup, "msi-launcher-shutdown"); // Ctrl-C: stop Felix, remove its storage
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            storage.set(Files.createTempDirectory("msi-felix-"));
            return run(boot(storage.get(), Files.createDirectory(storage.get().resolve("bundles")), framework));
        } catch (IOException | BundleException | InvalidSyntaxException e) {
            System.err.println("msi-launcher: " + oneLine(e.getMessage()));
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (InputProblem e) {
            System.err.println("msi-launcher: " + oneLine(e.getMessage()));
            return 2;
        } catch (RuntimeException e) {
            System.err.println("msi-launcher: " + oneLine(e.getMessage()));
            return 1;
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or has run
            }
        }
    }

    /**
     * Whether a person watches: {@code -Dmsi.terminal} if given, else whether standard input and output are
     * a terminal (System.console(); on JDK 22+ also Console.isTerminal()). Checked on the real descriptors,
     * so moving System.out to stderr does not change it.
     */
    static boolean terminalAttached() {
        String told = System.getProperty(TERMINAL);
        if (told != null) {
            return Boolean.parseBoolean(told.trim());
        }
        return onTerminal();
    }

    /** Whether standard input and output really are a terminal, whatever {@code -Dmsi.terminal} says. */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException beforeJdk22) {
            return true; // up to JDK 21 a console exists only on a terminal
        } catch (ReflectiveOperationException | ClassCastException e) {
            return false;
        }
    }

    /** Exception messages (Felix's resolver ones included) as one line of stderr. */
    static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Installs every embedded bundle from a file extracted into {@code bundles}, so a bundle's location is
     * a real file: {@code Bundle.update()} can read it again (the main job updates a provider that way).
     */
    private BundleContext boot(Path storage, Path bundles, AtomicReference<Framework> started)
            throws IOException, BundleException {
        Map<String, Object> config = new HashMap<>(options.frameworkProperties());
        config.put(FELIX_LOGGER, StderrLog.felixLogger()); // Felix prints to System.out, which Gogo routes
        EventAdminLast.configure(config);
        if (options.shell) {
            config.put(GOSH_ARGS, System.getProperty(GOSH_ARGS, ""));
        }
        if (options.deploy == null) {
            Files.createDirectories(Options.DEFAULT_DEPLOY); // only the default is created; a folder given exists
        }
        config.put(TERMINAL, String.valueOf(terminalAttached()));
        config.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IOException("no OSGi framework on the class path"));
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Framework framework = factory.newFramework((Map) config); // Felix takes its logger as an object
        started.set(framework);
        framework.init();
        BundleContext context = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        for (String name : EmbeddedBundles.names()) {
            Path jar = bundles.resolve(name.substring(name.lastIndexOf('/') + 1));
            try (InputStream in = EmbeddedBundles.open(name)) {
                Files.copy(in, jar);
            }
            try {
                installed.add(context.installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                throw new BundleException(name + " failed to install: " + e.getMessage(), e);
            }
        }
        EventAdminLast.install(context, installed);
        framework.start();
        for (Bundle b : installed) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            boolean web = WEB_BUNDLES.contains(b.getSymbolicName());
            if (!fragment && !SHELLS.contains(b.getSymbolicName()) && (!web || options.http != null)) {
                try {
                    b.start();
                } catch (BundleException e) {
                    throw new BundleException(b.getSymbolicName() + " failed to start: " + e.getMessage(), e);
                }
            }
        }
        return context;
    }

    @SuppressWarnings("unchecked")
    private int run(BundleContext context) throws InterruptedException, InvalidSyntaxException, BundleException {
        if (options.http != null) {
            System.err.println("msi-launcher: web view on " + WebView.await(context, WebView.TIMEOUT_MS));
            if (!options.hasJob()) {
                awaitStop(context); // serve until interrupted (Ctrl-C stops the framework through the hook)
                return 0;
            }
        }
        if (options.shell) {
            // The shell session writes to the console's own descriptors, and inside it Gogo's ThreadIO routes
            // System.out to the session: System.out stays on stderr for everything else. On a terminal the
            // shell is Gogo on JLine; on pipes (a script fed to stdin) the plain Gogo shell reads lines.
            String shell = onTerminal() ? GOGO_JLINE : GOGO_SHELL;
            ShellExit exit = new ShellExit(context);
            java.util.Hashtable<String, Object> command = new java.util.Hashtable<>();
            command.put("osgi.command.scope", "gogo");
            command.put("osgi.command.function", new String[] { "exit" });
            context.registerService(Object.class, exit, command);
            // JLine finds its terminal providers (the native one for Linux first) through the thread's context
            // class loader, and Gogo JLine builds the terminal while it starts: let that loader be JLine's own.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            try {
                thread.setContextClassLoader(classLoader(context, JLINE));
                for (Bundle b : context.getBundles()) {
                    if (shell.equals(b.getSymbolicName())) {
                        b.start();
                    }
                }
            } finally {
                thread.setContextClassLoader(previous);
            }
            awaitStop(context);
            return exit.status();
        }
        if (options.stress != null) {
            BiFunction<String, PrintStream, Integer> stress = await(context, BiFunction.class, "stress");
            return stress.apply(options.stress.toString(), out);
        }
        if (options.command != null) {
            BiFunction<String, PrintStream, Integer> script = await(context, BiFunction.class, "script");
            return script.apply(options.command, out);
        }
        Function<PrintStream, Integer> main = await(context, Function.class, "main");
        return main.apply(out);
    }

    /** The class loader of the bundle with this symbolic name (resolved), or the launcher's own. */
    private static ClassLoader classLoader(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            org.osgi.framework.wiring.BundleWiring wiring = b.adapt(org.osgi.framework.wiring.BundleWiring.class);
            if (symbolicName.equals(b.getSymbolicName()) && wiring != null) {
                return wiring.getClassLoader();
            }
        }
        return Launcher.class.getClassLoader();
    }

    /** Waits, bounded, for the job service of a role; its type is a JDK type both sides see. */
    @SuppressWarnings("rawtypes")
    private static <T> T await(BundleContext context, Class<?> type, String role)
            throws InterruptedException, InvalidSyntaxException {
        String filter = "(" + ROLE + "=" + role + ")";
        long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000;
        while (System.nanoTime() < deadline) {
            ServiceReference[] problems = context.getAllServiceReferences(java.util.function.Supplier.class.getName(),
                    "(" + ROLE + "=problem)");
            if (problems != null && problems.length > 0) {
                throw new InputProblem(String.valueOf(((java.util.function.Supplier<?>) context.getService(problems[0])).get()));
            }
            ServiceReference[] refs = context.getAllServiceReferences(type.getName(), filter);
            if (refs != null && refs.length > 0) {
                @SuppressWarnings("unchecked")
                T service = (T) context.getService(refs[0]);
                if (service != null) {
                    return service;
                }
            }
            Thread.sleep(20); // bundles activate on their own threads; poll the registry briefly
        }
        List<String> inactive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() != Bundle.ACTIVE && !fragment && !SHELLS.contains(b.getSymbolicName())
                    && !WEB_BUNDLES.contains(b.getSymbolicName())) {
                inactive.add(b.getSymbolicName());
            }
        }
        throw new IllegalStateException("the platform did not become ready within " + READY_TIMEOUT_MS / 1000
                + " s: no " + type.getName() + " service with " + filter
                + (inactive.isEmpty() ? "" : "; bundles not active: " + String.join(", ", inactive)));
    }

    /** The platform refused the user's input (a machine description): exit code 2. */
    private static final class InputProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputProblem(String message) {
            super(message);
        }
    }

    private static void awaitStop(BundleContext context) throws InterruptedException {
        Bundle system = context.getBundle(0);
        while (system.getState() == Bundle.ACTIVE || system.getState() == Bundle.STARTING) {
            Thread.sleep(200);
        }
    }

    private static void stop(Framework framework) {
        if (framework == null) {
            return;
        }
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            System.err.println("msi-launcher: stopping the framework: " + e.getMessage());
        }
    }

    /** Removes a temporary folder and what is in it. */
    static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
