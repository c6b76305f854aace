package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

// Jackson reaches the test class path as a dependency of the embedded hardware-model bundle (scope provided).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The web view end to end, from outside: the built jar with {@code --http 0}, the sockets it listens on (read
 * from {@code /proc}), the JSON endpoint and the page over loopback, and the page as headless Chromium renders
 * it (DOM after its scripts ran, and a screenshot).
 */
class WebViewIT {

    private static final List<String> PROVIDERS = List.of("org.msidomain.provider.dmar", "org.msidomain.provider.hpet",
            "org.msidomain.provider.pci", "org.msidomain.provider.platform");
    private static final Pattern URL_LINE = Pattern.compile("(?m)^msi-launcher: web view on (http://127\\.0\\.0\\.1:(\\d+)/msi/)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private static final long DEADLINE_S = 60;

    /** A launcher process with its standard input open (for {@code --shell}); its output goes to files. */
    static final class Running implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;
        final OutputStream stdin;

        Running(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", System.getProperty("msi.launcher.jar", "target/msi-launcher.jar")));
            cmd.addAll(List.of(args));
            out = Files.createTempFile("launcher", ".out");
            err = Files.createTempFile("launcher", ".err");
            process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            stdin = process.getOutputStream();
        }

        String out() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** Waits (bounded) until stdout or stderr satisfies the condition; fails if the process ends first. */
        String await(boolean stdout, Predicate<String> condition, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
            while (System.nanoTime() < deadline) {
                String text = stdout ? out() : err();
                if (condition.test(text)) {
                    return text;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("launcher ended (exit " + process.exitValue() + ") before " + what + ": " + err());
                }
                Thread.sleep(50); // the launcher writes on its own schedule: poll its output files
            }
            throw new AssertionError("no " + what + " within " + DEADLINE_S + " s: " + err());
        }

        /** The page's URL from the one stderr line that announces it. */
        URI awaitUrl() throws Exception {
            Matcher m = URL_LINE.matcher(await(false, e -> URL_LINE.matcher(e).find(), "web view line"));
            assertTrue(m.find());
            return URI.create(m.group(1));
        }

        void send(String lines) throws IOException {
            stdin.write(lines.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        int awaitExit() throws Exception {
            stdin.close();
            if (!process.waitFor(DEADLINE_S, TimeUnit.SECONDS)) {
                throw new AssertionError("launcher did not end within " + DEADLINE_S + " s: " + err());
            }
            return process.exitValue();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: the shutdown hook stops Felix and removes its storage
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode state(URI page) throws Exception {
        HttpResponse<String> r = get(page.resolve("api/state"));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        return JSON.readTree(r.body());
    }

    /** Polls the endpoint until the condition holds, bounded. */
    private static JsonNode awaitState(URI page, Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = state(page);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100); // the shell and the workload run on the launcher's threads
        }
        throw new AssertionError("not reached within " + DEADLINE_S + " s: " + what + "; last state: " + last);
    }

    private static long totalCount(JsonNode state) {
        long sum = 0;
        for (JsonNode irq : state.get("irqs")) {
            for (JsonNode c : irq.get("counts")) {
                sum += c.asLong();
            }
        }
        return sum;
    }

    /** The irqs with a rate above zero on some CPU. */
    private static int firing(JsonNode state) {
        int n = 0;
        for (JsonNode irq : state.get("irqs")) {
            boolean any = false;
            for (JsonNode r : irq.path("rates")) {
                any |= r.asDouble() > 0;
            }
            n += any ? 1 : 0;
        }
        return n;
    }

    /**
     * The local addresses ({@code 127.0.0.1:8080}) of the TCP sockets a process listens on: its socket inodes
     * ({@code /proc/PID/fd}) matched with the LISTEN rows of {@code /proc/net/tcp} and {@code tcp6}.
     */
    static Set<String> listening(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while we listed them
                }
            }
        }
        Set<String> addresses = new TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> rows = Files.readAllLines(file);
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+"); // sl local rem st queues timer retr uid timeout inode
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    addresses.add(address(f[1]));
                }
            }
        }
        return addresses;
    }

    /**
     * {@code 0100007F:1F90} -> {@code 127.0.0.1:8080}; an IPv4-mapped IPv6 row (Java's sockets are IPv6) as its
     * IPv4 address; other IPv6 rows (the wildcard too) stay hex in brackets.
     */
    private static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String ip = parts[0];
        if (ip.length() == 32 && ip.startsWith("0000000000000000FFFF0000")) {
            ip = ip.substring(24);
        }
        if (ip.length() != 8) {
            return "[" + ip + "]:" + port;
        }
        long v4 = Long.parseLong(ip, 16); // little-endian words
        return (v4 & 0xff) + "." + (v4 >> 8 & 0xff) + "." + (v4 >> 16 & 0xff) + "." + (v4 >> 24 & 0xff) + ":" + port;
    }

    @Test
    void withoutHttpNoPortIsOpenedAndTheWebBundlesStayStopped() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
        try (Running run = new Running("--shell")) {
            run.send("lb -s\n");
            String out = run.await(true, o -> o.contains("|org.msidomain.app ("), "lb output");
            assertEquals(Set.of(), listening(run.process.pid()), "no listening socket without --http");
            for (String bsn : List.of("org.apache.felix.http.jetty", "org.msidomain.web")) {
                Matcher row = Pattern.compile("(?m)^\\s*\\d+\\|(\\w+)\\s*\\|\\s*\\d+\\|" + Pattern.quote(bsn) + " \\(").matcher(out);
                assertTrue(row.find(), bsn + " is installed: " + out);
                assertFalse(row.group(1).equals("Active"), bsn + " is not started: " + out);
            }
            assertEquals(0, run.awaitExit(), run.err());
            assertFalse(run.err().contains("web view"), run.err());
        }
    }

    @Test
    void theJsonEndpointFollowsTheShellOnLoopbackOnly() throws Exception {
        try (Running run = new Running("--http", "0", "--shell")) {
            URI page = run.awaitUrl();
            if (Files.isDirectory(Path.of("/proc/self/fd"))) {
                assertEquals(Set.of("127.0.0.1:" + page.getPort()), listening(run.process.pid()), "one port, on loopback");
            }
            HttpResponse<String> html = get(page);
            assertEquals(200, html.statusCode());
            assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), html.headers().toString());
            assertTrue(html.body().contains("<script src=\"static/app.js\"></script>"), html.body());
            HttpResponse<String> js = get(page.resolve("static/app.js"));
            assertEquals(200, js.statusCode());
            assertTrue(js.body().contains("api/state"), "the script polls the endpoint");
            HttpResponse<String> bare = get(URI.create("http://127.0.0.1:" + page.getPort() + "/msi"));
            assertEquals(302, bare.statusCode());
            assertEquals(page.toString(), bare.headers().firstValue("Location").orElse(""));
            assertEquals(404, get(page.resolve("nothing-here")).statusCode());

            JsonNode idle = state(page);
            assertEquals(4, idle.get("cpus").asInt());
            List<String> names = new ArrayList<>();
            for (JsonNode p : idle.get("providers")) {
                names.add(p.get("symbolicName").asText());
                assertTrue(p.get("bound").asBoolean(), p.toString());
                assertEquals("active", p.get("state").asText(), p.toString());
            }
            assertEquals(PROVIDERS, names.stream().sorted().toList());
            assertEquals(0, idle.get("irqs").size(), "--http alone allocates nothing: " + idle);
            assertEquals("[0,0,0,0]", idle.get("spurious").toString());

            run.send("msi:alloc 00:04.0 4\nmsi:affinity 00:04.0/2 3\nmsi:fire 00:04.0 2 25\n");
            JsonNode fired = awaitState(page, s -> {
                for (JsonNode irq : s.get("irqs")) {
                    if (irq.get("device").asText().equals("00:04.0") && irq.get("index").asInt() == 2) {
                        return irq.get("counts").toString().equals("[0,0,0,25]");
                    }
                }
                return false;
            }, "00:04.0/2 counted 25 times on CPU3");
            assertEquals(4, fired.get("irqs").size(), fired.toString());
            JsonNode irq = fired.get("irqs").get(2);
            assertEquals(3, irq.get("cpu").asInt(), irq.toString());
            assertEquals("PCI-MSIX-0000:00:04.0", irq.get("chip").asText());
            JsonNode device = null;
            for (JsonNode d : fired.get("devices")) {
                if (d.get("id").asText().equals("00:04.0")) {
                    device = d;
                }
            }
            assertNotNull(device, fired.toString());
            assertEquals("{\"id\":\"00:04.0\",\"type\":\"pci\",\"state\":\"BOUND\",\"provider\":\"org.msidomain.provider.pci\","
                    + "\"vectors\":4,\"reason\":\"\"}", device.toString());
            assertTrue(fired.get("time").asDouble() > idle.get("time").asDouble(), "the server clock advances");
            // nothing fires after the 25: once a whole rate window has passed, its rates are zero
            JsonNode quiet = awaitState(page, s -> s.get("rateWindow").asDouble() > 0 && s.get("irqs").size() == 4
                    && s.get("irqs").get(2).get("rates").toString().equals("[0.0,0.0,0.0,0.0]"), "00:04.0/2 quiet again");
            assertEquals("[0,0,0,25]", quiet.get("irqs").get(2).get("counts").toString());

            assertEquals(0, run.awaitExit(), run.err());
            assertEquals(1, URL_LINE.matcher(run.err()).results().count(), run.err());
            assertTrue(run.out().contains("00:04.0/2: fired 25"), run.out());
        }
    }

    @Test
    void withCommandsTheWebViewIsAnnouncedAndTheOutputIsUnchanged() throws Exception {
        LauncherIT.Run plain = LauncherIT.launch("-c", "msi:providers; msi:devices");
        LauncherIT.Run web = LauncherIT.launch("--http", "0", "-c", "msi:providers; msi:devices");
        assertEquals(0, plain.exit(), plain.err());
        assertEquals(0, web.exit(), web.err());
        assertEquals(plain.out(), web.out());
        assertEquals(1, URL_LINE.matcher(web.err()).results().count(), web.err());
        assertFalse(plain.err().contains("web view"), plain.err());
    }

    @Test
    void aPortInUseIsRefusedBeforeBooting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LauncherIT.Run run = LauncherIT.launch("--http", Integer.toString(port));
            assertEquals(2, run.exit(), run.err());
            assertTrue(run.err().strip().startsWith("msi-launcher: --http " + port + ": cannot listen on 127.0.0.1:" + port + ": "),
                    run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertEquals("", run.out());
        }
    }

    /** One request on a raw socket (the HTTP client refuses TRACE bodies and hides nothing here): the whole answer. */
    private static String raw(int port, String method, String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Cookie: session=secret\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void traceIsRefusedOnEveryPathAndNotOffered() throws Exception {
        try (Running run = new Running("--http", "0", "--shell")) {
            int port = run.awaitUrl().getPort();
            for (String path : List.of("/msi/", "/msi/static/app.js", "/msi/api/state", "/msi", "/nothing-here")) {
                for (String method : List.of("TRACE", "TRACK")) {
                    String answer = raw(port, method, path);
                    assertTrue(answer.startsWith("HTTP/1.1 405 "), method + " " + path + ": " + answer);
                    assertTrue(answer.contains("\r\nAllow: GET, HEAD, OPTIONS\r\n"), method + " " + path + ": " + answer);
                    assertFalse(answer.contains("secret"), "the request is not echoed: " + answer);
                }
            }
            String options = raw(port, "OPTIONS", "/msi/api/state");
            assertTrue(options.startsWith("HTTP/1.1 200 "), options);
            Matcher allow = Pattern.compile("\r\nAllow: ([^\r]*)\r\n").matcher(options);
            assertTrue(allow.find(), options);
            assertEquals(Set.of("GET", "HEAD", "OPTIONS"), Set.of(allow.group(1).split(", ")), options);
            assertTrue(raw(port, "GET", "/msi/api/state").startsWith("HTTP/1.1 200 "), "GET still served");
            assertEquals(0, run.awaitExit(), run.err());
        }
    }

    /**
     * Port 80 (the one Felix HTTP leaves out of its endpoint URL): served where it can be bound (root, or a
     * lowered {@code ip_unprivileged_port_start}); elsewhere refused before booting, as the binding would fail.
     */
    @Test
    void port80IsServedWhereItCanBeBoundAndRefusedElsewhere() throws Exception {
        String bindable;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 80));
            bindable = null;
        } catch (IOException e) {
            bindable = e.getMessage();
        }
        LauncherIT.Run run = LauncherIT.launch("--http", "80", "-c", "msi:devices");
        if (bindable != null) {
            assertEquals(2, run.exit(), run.err());
            assertEquals("msi-launcher: --http 80: cannot listen on 127.0.0.1:80: " + bindable, run.err().strip());
            return;
        }
        assertEquals(0, run.exit(), run.err());
        Matcher m = URL_LINE.matcher(run.err());
        assertTrue(m.find(), run.err());
        assertEquals("http://127.0.0.1:80/msi/", m.group(1));
        assertTrue(run.out().lines().anyMatch(l -> l.matches("00:04\\.0 +pci +BOUND .*")), run.out());
    }

    /** Debian's {@code chromium} (installed by {@code .ci/run}), or null. */
    static Path chromium() {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        dirs.add(Path.of("/usr/bin"));
        for (Path dir : dirs) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = dir.resolve(name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Runs headless Chromium on the page with a fresh profile; returns its stdout. */
    private static String chromium(Path binary, URI page, String mode) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path out = Files.createTempFile("chromium", ".out");
        Path err = Files.createTempFile("chromium", ".err");
        try {
            List<String> cmd = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1280,1000",
                    // virtual time: the page's 500 ms polls run back to back; each fetch pauses it until answered
                    "--virtual-time-budget=3000", mode, page.toString());
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(DEADLINE_S, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("chromium did not finish within " + DEADLINE_S + " s: " + Files.readString(err));
            }
            assertEquals(0, p.exitValue(), "chromium " + mode + ": " + Files.readString(err));
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static final Pattern CELL = Pattern.compile(
            "<td class=\"cell( hot| unknown)?\" data-irq=\"(\\d+)\" data-cpu=\"(\\d+)\" data-rate=\"(\\d*)\"( style=\"background:hsl\\()?");

    @Test
    void headlessChromiumRendersTheProvidersAndALiveHeatMap() throws Exception {
        Path browser = chromium();
        Assumptions.assumeTrue(browser != null, "needs Debian's chromium (.ci/run installs it)");
        // --stress keeps interrupts flowing on every vector while affinities move and providers are swapped;
        // 60 s is an upper bound: the launcher is stopped as soon as the browser is done.
        try (Running run = new Running("--http", "0", "--stress", "60")) {
            URI page = run.awaitUrl();
            // the soak allocates every vector before it fires: wait until the set is complete and most of it has
            // a rate above zero in the server's window
            JsonNode[] before = { null };
            JsonNode live = awaitState(page, s -> {
                JsonNode b = before[0];
                before[0] = s;
                return b != null && s.get("irqs").size() > 0 && s.get("irqs").size() == b.get("irqs").size()
                        && totalCount(s) > totalCount(b) && firing(s) >= s.get("irqs").size() / 2;
            }, "every vector allocated and firing");
            int irqs = live.get("irqs").size();
            int cpus = live.get("cpus").asInt();
            Set<String> expectedCells = new TreeSet<>();
            for (JsonNode irq : live.get("irqs")) {
                for (int cpu = 0; cpu < cpus; cpu++) {
                    expectedCells.add(irq.get("irq").asInt() + "/" + cpu);
                }
            }

            long t0 = System.nanoTime();
            String dom = chromium(browser, page, "--dump-dom");
            long t1 = System.nanoTime();
            Path png = Files.createTempFile("web-view", ".png");
            BufferedImage shot;
            try {
                chromium(browser, page, "--screenshot=" + png);
                shot = ImageIO.read(png.toFile());
            } finally {
                Files.deleteIfExists(png);
            }
            long t2 = System.nanoTime();
            System.out.printf("chromium: --dump-dom %d ms, --screenshot %d ms (%d irqs x %d CPUs, under --stress)%n",
                    TimeUnit.NANOSECONDS.toMillis(t1 - t0), TimeUnit.NANOSECONDS.toMillis(t2 - t1), irqs, cpus);

            // The DOM after the scripts ran: every provider in the providers table, one cell per (irq, CPU).
            int start = dom.indexOf("<table id=\"providers\"");
            assertTrue(start >= 0, dom);
            String providers = dom.substring(start, dom.indexOf("</table>", start));
            for (String bsn : PROVIDERS) {
                assertTrue(providers.contains("<td class=\"name\">" + bsn + "</td>"), bsn + " in " + providers);
            }
            assertTrue(dom.contains("<td class=\"name\">00:04.0</td>"), "the devices table lists 00:04.0");
            Matcher polls = Pattern.compile("id=\"status\" data-polls=\"(\\d+)\"").matcher(dom);
            assertTrue(polls.find() && Integer.parseInt(polls.group(1)) >= 2, "the page polled more than once");
            Set<String> cells = new TreeSet<>();
            int hot = 0;
            Matcher cell = CELL.matcher(dom);
            while (cell.find()) {
                assertTrue(cells.add(cell.group(2) + "/" + cell.group(3)), "one cell per (irq, CPU): " + cell.group());
                boolean nonZero = !cell.group(4).isEmpty() && Long.parseLong(cell.group(4)) > 0;
                assertEquals(nonZero, " hot".equals(cell.group(1)), cell.group());
                assertEquals(nonZero, cell.group(5) != null, "coloured exactly when its rate is not zero: " + cell.group());
                hot += nonZero ? 1 : 0;
            }
            assertEquals(expectedCells, cells);
            assertTrue(hot >= Math.max(4, irqs / 4), hot + " of " + cells.size() + " cells show a rate");

            // The screenshot: where the map is, enough pixels of its colours (saturated hues; the rest is grey).
            Matcher rect = Pattern.compile("id=\"heatmap\" data-rect=\"(\\d+),(\\d+),(\\d+),(\\d+)\"").matcher(dom);
            assertTrue(rect.find(), "the page records where the map is");
            int x0 = Integer.parseInt(rect.group(1));
            int y0 = Integer.parseInt(rect.group(2));
            int x1 = Math.min(shot.getWidth(), x0 + Integer.parseInt(rect.group(3)));
            int y1 = Math.min(shot.getHeight(), y0 + Integer.parseInt(rect.group(4)));
            assertEquals(1280, shot.getWidth());
            assertTrue(y0 < y1 && x0 < x1, "the map is on the screen: " + rect.group());
            long heat = 0;
            long outside = 0;
            for (int y = 0; y < shot.getHeight(); y++) {
                for (int x = 0; x < shot.getWidth(); x++) {
                    int rgb = shot.getRGB(x, y);
                    int r = rgb >> 16 & 0xff;
                    int g = rgb >> 8 & 0xff;
                    int b = rgb & 0xff;
                    boolean saturated = Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) >= 100;
                    if (saturated && x >= x0 && x < x1 && y >= y0 && y < y1) {
                        heat++;
                    } else if (saturated) {
                        outside++;
                    }
                }
            }
            System.out.printf("screenshot: %d heat-map pixels in %d x %d, %d saturated pixels elsewhere%n", heat, x1 - x0,
                    y1 - y0, outside);
            // a cell is 44 x 14 px: at least a dozen cells' worth of colour
            assertTrue(heat >= 12 * 44 * 14, heat + " heat-map pixels");
        }
    }
}
