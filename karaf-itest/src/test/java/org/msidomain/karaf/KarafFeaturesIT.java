package org.msidomain.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The feature repository in a real Apache Karaf: added with {@code feature:repo-add} by its mvn: URL,
 * the platform and the four provider features installed with {@code feature:install}, and the platform
 * used through the {@code msi:*} commands (plain Gogo commands, which Karaf's shell runs) from Karaf's
 * SSH client. Karaf's SSH exec does not print a command's returned value, so each is piped into
 * {@code cat}.
 */
class KarafFeaturesIT {

    private static final String VERSION = System.getProperty("msi.version");
    private static final String REPO_URL = "mvn:org.msidomain/karaf-features/" + VERSION + "/xml/features";
    private static final List<String> PROVIDERS = List.of("pci", "hpet", "dmar", "platform");
    private static final long BIND_DEADLINE_MS = 30_000;

    private static final String KARAF_VERSION = System.getProperty("karaf.version");
    // Karaf's own add-ons of its scr feature (bundle:info details, a JMX bean): the build cannot stage them
    // (see the pom); the platform does not need them
    private static final List<String> BLACKLIST = List.of(
            "mvn:org.apache.karaf.scr/org.apache.karaf.scr.state/" + KARAF_VERSION,
            "mvn:org.apache.karaf.scr/org.apache.karaf.scr.management/" + KARAF_VERSION);

    private static KarafProcess karaf;

    @BeforeAll
    static void installTheFeatures() throws Exception {
        karaf = KarafProcess.start(Path.of(System.getProperty("karaf.home")),
                Path.of("target/karaf-base").toAbsolutePath(), Path.of(System.getProperty("karaf.repo")).toAbsolutePath(),
                BLACKLIST);
        long t0 = System.nanoTime();
        expectOk("feature:repo-add " + REPO_URL, 60);
        long up = System.nanoTime();
        expectOk("feature:install msi-platform msi-provider-pci msi-provider-hpet msi-provider-dmar msi-provider-platform",
                0);
        awaitProviders(PROVIDERS.size());
        System.out.printf("Karaf up (SSH answered) in %d ms, features installed and bound in %d ms%n",
                (up - t0) / 1_000_000, (System.nanoTime() - up) / 1_000_000);
    }

    @AfterAll
    static void stopKaraf() {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    void everyProviderFeatureBindsItsStorageType() throws Exception {
        Map<String, String[]> rows = awaitProviders(PROVIDERS.size());
        for (String type : PROVIDERS) {
            String[] row = rows.get(type);
            assertTrue(row != null, "no provider of type " + type + ": " + rows.keySet());
            assertEquals("org.msidomain.provider." + type, row[1]);
            assertEquals("active", row[4]);
            assertTrue(Integer.parseInt(row[5]) >= 1, type + " serves no device: " + String.join(" ", row));
        }
    }

    @Test
    void anInterruptFiredThroughTheShellIsCountedOnItsCpu() throws Exception {
        String out = expectOk("msi:alloc 00:04.0 1 | cat; msi:fire 00:04.0 0 5 | cat; msi:interrupts | cat", 0);
        Matcher alloc = Pattern.compile("(?m)^irq (\\d+): 00:04\\.0/0 CPU(\\d+) vector 0x\\p{XDigit}{2}$").matcher(out);
        assertTrue(alloc.find(), out);
        assertTrue(out.contains("00:04.0/0: fired 5"), out);
        long[] counts = counts(out, Integer.parseInt(alloc.group(1)));
        int cpu = Integer.parseInt(alloc.group(2));
        for (int c = 0; c < counts.length; c++) {
            assertEquals(c == cpu ? 5 : 0, counts[c], "CPU" + c + " in\n" + out);
        }
    }

    @Test
    void uninstallingAProviderFeatureKeepsItsDevicesDelivering() throws Exception {
        String out = expectOk("msi:alloc 00:03.0 1 | cat; msi:fire 00:03.0 0 3 | cat", 0);
        Matcher alloc = Pattern.compile("(?m)^irq (\\d+): 00:03\\.0/0 CPU(\\d+) ").matcher(out);
        assertTrue(alloc.find(), out);
        int irq = Integer.parseInt(alloc.group(1));
        int cpu = Integer.parseInt(alloc.group(2));
        try {
            out = expectOk("feature:uninstall msi-provider-pci; msi:why 00:03.0 | cat; msi:fire 00:03.0 0 4 | cat;"
                    + " msi:interrupts | cat", 0);
            assertTrue(out.contains("00:03.0: unbound: its provider org.msidomain.provider.pci"), out);
            assertEquals(7, counts(out, irq)[cpu], "3 fired while bound + 4 while unbound, in\n" + out);
        } finally {
            expectOk("feature:install msi-provider-pci", 0);
            assertTrue(awaitProviders(PROVIDERS.size()).containsKey("pci"));
        }
        out = expectOk("msi:why 00:03.0 | cat", 0);
        assertTrue(out.contains("00:03.0: bound to org.msidomain.provider.pci (storage type pci), 1 vectors;"), out);
    }

    @Test
    void msiHealthRunsTheFelixHealthCheckInKaraf() throws Exception {
        long deadline = System.currentTimeMillis() + BIND_DEADLINE_MS;
        String out;
        do { // a provider reinstalled by another test binds its devices on the domain's thread
            out = expectOk("msi:health | cat", 0);
            if (out.contains("ready: yes")) {
                break;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals("health: OK", lines.get(0), out);
        Matcher bound = Pattern.compile("^  OK (\\d+)/\\1 devices bound$").matcher(lines.get(1));
        assertTrue(bound.matches(), out);
        assertEquals("ready: yes (" + bound.group(1) + "/" + bound.group(1) + " devices bound)", lines.get(lines.size() - 1), out);
        assertTrue(Integer.parseInt(bound.group(1)) >= 10, "the default machine's devices: " + out);
    }

    /** Polls {@code msi:providers} until {@code n} are bound; rows keyed by storage type. */
    private static Map<String, String[]> awaitProviders(int n) throws Exception {
        long deadline = System.currentTimeMillis() + BIND_DEADLINE_MS;
        String out;
        Map<String, String[]> rows;
        do {
            out = expectOk("msi:providers | cat", 0);
            rows = new TreeMap<>();
            for (String line : out.lines().toList()) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length == 7 && cols[1].startsWith("org.msidomain.provider.")) {
                    rows.put(cols[3], cols);
                }
            }
            if (rows.size() >= n) {
                return rows;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError(n + " providers not bound within " + BIND_DEADLINE_MS + " ms:\n" + out + karaf.log());
    }

    /** The per-CPU counts of {@code irq} in {@code msi:interrupts} output. */
    private static long[] counts(String out, int irq) {
        for (String line : out.lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols[0].equals(irq + ":")) {
                int cpus = (int) out.lines().filter(l -> l.trim().startsWith("CPU0")).findFirst().orElseThrow().trim()
                        .split("\\s+").length;
                long[] counts = new long[cpus];
                for (int c = 0; c < cpus; c++) {
                    counts[c] = Long.parseLong(cols[1 + c]);
                }
                return counts;
            }
        }
        throw new AssertionError("irq " + irq + " not in\n" + out);
    }

    private static String expectOk(String commands, int retrySeconds) throws Exception {
        KarafProcess.Shell r = karaf.shell(commands, retrySeconds);
        if (r.exit() != 0) {
            throw new AssertionError("'" + commands + "' exited " + r.exit() + ":\n" + r.out() + "\n" + karaf.log());
        }
        return r.out();
    }
}
