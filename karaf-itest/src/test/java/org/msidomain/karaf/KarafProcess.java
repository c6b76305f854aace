package org.msidomain.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An unpacked Apache Karaf distribution run as its own process, as a user runs it ({@code bin/karaf server}),
 * and driven through its SSH client ({@code bin/client}). The distribution stays pristine: the instance
 * lives in its own {@code KARAF_BASE} (etc/ copied and edited, data/ new every run), installs only from a
 * file-based Maven repository and Karaf's own system/ folder, and listens on free loopback ports.
 *
 * <p>No Karaf is left behind: {@link #close()} stops it (and kills what is left after a bounded wait), a
 * shutdown hook does the same if the test JVM exits early, and if the test JVM is killed the wrapper
 * shell sees its standard input close and stops Karaf itself.
 */
final class KarafProcess implements AutoCloseable {

    /** The result of one {@code bin/client} call: its exit code and its output, without ANSI colours. */
    record Shell(int exit, String out) {
    }

    private static final String USER = "karaf";
    private static final String PASSWORD = "karaf";
    private static final long CLIENT_TIMEOUT_S = 90;
    private static final long STOP_TIMEOUT_S = 30;

    // Dead man's switch: the test holds this shell's standard input; when it is closed (close(), or the
    // test JVM died) the read returns and Karaf is stopped with SIGTERM, which shuts it down in order.
    private static final String WRAPPER = """
            exec 3<&0
            sh "$1" server </dev/null &
            karaf=$!
            ( read -r _ <&3; kill "$karaf" 2>/dev/null ) &
            watcher=$!
            wait "$karaf"
            kill "$watcher" 2>/dev/null
            """;

    private final Path home;
    private final Path base;
    private final int sshPort;
    private final Map<String, String> env;
    private final Process wrapper;
    private final Thread hook = new Thread(this::stop, "karaf-stop");

    private KarafProcess(Path home, Path base, int sshPort, Map<String, String> env, Process wrapper) {
        this.home = home;
        this.base = base;
        this.sshPort = sshPort;
        this.env = env;
        this.wrapper = wrapper;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Prepares a fresh instance of the distribution in {@code home} at {@code base} and starts it. Bundles
     * named in {@code blacklist} (mvn: URLs) are left out of every feature (Karaf's features processing).
     */
    static KarafProcess start(Path home, Path base, Path mavenRepo, List<String> blacklist) throws IOException {
        if (!Files.isRegularFile(home.resolve("bin/karaf"))) {
            throw new IllegalStateException("no Karaf distribution at " + home + " (run through mvn verify)");
        }
        deleteTree(base);
        copyTree(home.resolve("etc"), base.resolve("etc"));
        int ssh = freePort();
        configure(base.resolve("etc"), mavenRepo, ssh, freePort(), freePort());
        blacklist(base.resolve("etc"), blacklist);

        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "KARAF_BASE", base.toString(),
                "KARAF_EXEC", "exec",
                // both Karaf and its client are short-lived here: the C1 compiler starts them faster
                "EXTRA_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                // the root instance record lives in the shared distribution: never trust a stale pid there
                "CHECK_ROOT_INSTANCE_RUNNING", "false");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", WRAPPER, "sh", home.resolve("bin/karaf").toString()).directory(base.toFile())
                .redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        pb.environment().putAll(env);
        return new KarafProcess(home, base, ssh, env, pb.start());
    }

    /**
     * Runs Karaf shell commands through {@code bin/client} (an SSH exec session). The first call may wait
     * up to {@code retrySeconds} for the SSH server to come up.
     */
    Shell shell(String commands, int retrySeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", home.resolve("bin/client").toString(), "-h", "127.0.0.1",
                "-a", Integer.toString(sshPort), "-u", USER, "-p", PASSWORD));
        if (retrySeconds > 0) {
            cmd.addAll(List.of("-r", Integer.toString(retrySeconds), "-d", "1"));
        }
        cmd.add(commands);
        Path out = Files.createTempFile(base, "client", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(env);
        // the client's standard input stays open while it runs: on end of input Karaf closes the session
        long t0 = System.nanoTime();
        Process client = pb.start();
        try {
            if (!client.waitFor(CLIENT_TIMEOUT_S + retrySeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("bin/client did not finish in " + (CLIENT_TIMEOUT_S + retrySeconds)
                        + " s: " + commands + "\n" + log());
            }
        } finally {
            client.destroyForcibly();
            client.getOutputStream().close();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        Files.delete(out);
        System.out.printf("karaf> %s  (exit %d, %d ms)%n%s%n", commands, client.exitValue(),
                (System.nanoTime() - t0) / 1_000_000, text.stripTrailing());
        return new Shell(client.exitValue(), text);
    }

    /** The tail of Karaf's log, for failure messages. */
    String log() {
        Path log = base.resolve("data/log/karaf.log");
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            return "--- last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stop() {
        List<ProcessHandle> tree = wrapper.descendants().toList(); // before they are orphaned
        try {
            wrapper.getOutputStream().close();
            if (!wrapper.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                System.err.println("Karaf did not stop in " + STOP_TIMEOUT_S + " s; killing it");
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("stopping Karaf: " + e);
        } finally {
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            wrapper.destroyForcibly();
        }
    }

    private static void configure(Path etc, Path repo, int ssh, int rmiRegistry, int rmiServer) throws IOException {
        // Offline: Karaf's system/ folder and the build's repository only. An empty local repository of its
        // own, so nothing stale in ~/.m2 (another build's snapshot) can stand in for this build's bundles.
        Files.writeString(etc.resolve("org.ops4j.pax.url.mvn.cfg"), String.join("\n",
                "org.ops4j.pax.url.mvn.offline = true",
                "org.ops4j.pax.url.mvn.useFallbackRepositories = false",
                "org.ops4j.pax.url.mvn.localRepository = ${karaf.data}/m2",
                "org.ops4j.pax.url.mvn.defaultRepositories = ${karaf.home.uri}system@id=system.repository@snapshots, "
                        + repo.toUri() + "@id=msi.build@snapshots",
                "org.ops4j.pax.url.mvn.repositories =", ""));
        edit(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(ssh));
        edit(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost", "127.0.0.1");
        edit(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort", Integer.toString(rmiRegistry));
        edit(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort", Integer.toString(rmiServer));
        // the distribution ships without users; the test's SSH client logs in as an admin
        Files.writeString(etc.resolve("users.properties"), "\n" + USER + " = " + PASSWORD + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static void blacklist(Path etc, List<String> bundles) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<featuresProcessing xmlns=\"http://karaf.apache.org/xmlns/features-processing/v1.0.0\">\n"
                + "  <blacklistedBundles>\n");
        bundles.forEach(b -> xml.append("    <bundle>").append(b).append("</bundle>\n"));
        xml.append("  </blacklistedBundles>\n</featuresProcessing>\n");
        Files.writeString(etc.resolve("org.apache.karaf.features.xml"), xml);
    }

    private static void edit(Path cfg, String key, String value) throws IOException {
        String text = Files.readString(cfg, StandardCharsets.ISO_8859_1);
        String edited = text.replaceFirst("(?m)^" + key + "\\s*=.*$", key + " = " + value);
        if (edited.equals(text)) {
            throw new IllegalStateException(cfg + " has no " + key + " setting");
        }
        Files.writeString(cfg, edited, StandardCharsets.ISO_8859_1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
