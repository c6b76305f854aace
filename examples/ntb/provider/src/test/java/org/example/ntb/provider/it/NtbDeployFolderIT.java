package org.example.ntb.provider.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.testkit.Conformance;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Hot deployment from a folder FileInstall watches, as the launcher's {@code --deploy}: the platform boots without
 * the two bundles, the described bridges wait for their kind; the device jar dropped in creates them, the provider
 * jar binds them; the peer fires every vector, each trigger delivered once; the provider jar is replaced while the
 * peer fires, and nothing is lost.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NtbDeployFolderIT {

    private static final File DEPLOY = new File("target/ntb-deploy").getAbsoluteFile();
    private static final String DEVICE = "ntb0";
    private static final String PROVIDER = "org.example.ntb.provider";
    private static final int VECTORS = 4;

    @Inject
    private MsiDomain domain;

    @Inject
    private Machine machine;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        Files.createDirectories(DEPLOY.toPath());
        for (File f : DEPLOY.listFiles()) {
            Files.delete(f.toPath());
        }
        // the kit's platform with FileInstall on the folder; the bundles under test come through the folder
        return Conformance.deployFolder(DEPLOY);
    }

    @Test
    public void theBridgeComesUpFromTheFolderFiresAndKeepsFiringThroughAProviderReplacement() throws Exception {
        assertEquals("waits for its kind before any jar is dropped", BindingState.WAITING, device(DEVICE).state());
        assertTrue(device(DEVICE).reason(), device(DEVICE).reason().contains("'ntb'"));

        Files.copy(jar("ntb.device.jar").toPath(), DEPLOY.toPath().resolve("ntb-device.jar"));
        awaitState(DEVICE, BindingState.UNBOUND); // created by the kind, no provider yet
        Path providerJar = DEPLOY.toPath().resolve("ntb-provider.jar");
        Files.copy(jar("ntb.provider.jar").toPath(), providerJar);
        awaitState(DEVICE, BindingState.BOUND);
        Bundle provider = deployed().orElseThrow();
        assertTrue(provider.getLocation(), provider.getLocation().contains("ntb-deploy"));

        Tally tally = new Tally(domain, domain.allocate(DEVICE, VECTORS), "deploy");
        HwDevice peer = machine.device(DEVICE).orElseThrow();
        long lost0 = machine.lostMessages();
        long merged0 = domain.mergedWhileMasked() + machine.coalescedMessages();
        for (int v = 0; v < VECTORS; v++) {
            for (int n = 0; n < 1000; n++) {
                peer.raise(v);
            }
        }
        Tally.await(() -> tally.total() >= 4000, 30, () -> "4000 deliveries, " + tally.total() + " so far");
        for (int v = 0; v < VECTORS; v++) {
            assertEquals("vector " + v + ": every trigger delivered once", 1000, tally.delivered(v));
            assertEquals("on its CPU", domain.irq(tally.irq(v)).orElseThrow().cpu(), tally.lastCpu(v));
        }

        // replace the provider jar while the peer fires; the firing goes on until the new bundle serves the bridge
        AtomicBoolean swapped = new AtomicBoolean();
        AtomicLongArray fired = new AtomicLongArray(VECTORS);
        Thread firing = new Thread(() -> {
            long rounds = 0;
            while (!swapped.get() || rounds < 20_000) {
                for (int v = 0; v < VECTORS; v++) {
                    peer.raise(v);
                    fired.incrementAndGet(v);
                }
                rounds++;
            }
        }, "ntb-peer");
        long[] before = new long[VECTORS];
        for (int v = 0; v < VECTORS; v++) {
            before[v] = tally.delivered(v);
        }
        long modified = provider.getLastModified();
        firing.start();
        Path changed = Files.createTempFile(DEPLOY.getParentFile().toPath(), "ntb-provider", ".tmp");
        withExtraEntry(jar("ntb.provider.jar").toPath(), changed);
        Files.move(changed, providerJar, StandardCopyOption.REPLACE_EXISTING);
        Tally.await(() -> provider.getLastModified() > modified, 30, () -> "the provider bundle updated from the folder");
        awaitState(DEVICE, BindingState.BOUND);
        boolean firedAcrossTheSwap = firing.isAlive();
        swapped.set(true);
        firing.join(60_000);
        long total = 0;
        for (int v = 0; v < VECTORS; v++) {
            total += fired.get(v);
        }
        long expected = total;
        Tally.await(() -> tally.total() - 4000 + merges(merged0) >= expected, 30,
                () -> "delivered " + (tally.total() - 4000) + " of " + expected);
        String figures = String.format("ntb deploy folder: provider replaced while the peer fired: fired=%d delivered=%d "
                + "merged=%d lost=%d (firing across the swap: %s)", total, tally.total() - 4000, merges(merged0),
                machine.lostMessages() - lost0, firedAcrossTheSwap);
        System.out.println(figures);
        Files.writeString(Path.of("target", "deploy-folder.txt"), figures + System.lineSeparator());
        assertTrue("the peer fired while the provider was replaced: " + figures, firedAcrossTheSwap);
        assertEquals(figures, 0, machine.lostMessages() - lost0);
        assertEquals(figures, total, tally.total() - 4000 + merges(merged0));
        if (merges(merged0) == 0) { // nothing merged in a pending bit: each vector got exactly its triggers
            for (int v = 0; v < VECTORS; v++) {
                assertEquals(figures + ": vector " + v, fired.get(v), tally.delivered(v) - before[v]);
            }
        }
        assertEquals("the updated bundle serves it", PROVIDER, device(DEVICE).provider());
    }

    private long merges(long merged0) {
        return domain.mergedWhileMasked() + machine.coalescedMessages() - merged0;
    }

    private DeviceInfo device(String id) {
        return domain.devices().stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no device " + id + " in " + domain.devices()));
    }

    private void awaitState(String id, BindingState state) throws InterruptedException {
        Tally.await(() -> domain.devices().stream().anyMatch(d -> d.id().equals(id) && d.state() == state), 30,
                () -> id + " " + state + ": " + domain.devices().stream().map(DeviceInfo::toString)
                        .collect(Collectors.joining("; ")));
    }

    private Optional<Bundle> deployed() {
        return Arrays.stream(context.getBundles()).filter(b -> PROVIDER.equals(b.getSymbolicName())).findFirst();
    }

    private static File jar(String property) {
        String path = System.getProperty(property);
        if (path == null) {
            throw new IllegalStateException("system property " + property + " is not set (provider/pom.xml sets it)");
        }
        return new File(path).getAbsoluteFile();
    }

    /** The same bundle with one more entry: different bytes, so FileInstall sees a change. */
    private static void withExtraEntry(Path from, Path to) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(from));
                OutputStream raw = Files.newOutputStream(to);
                JarOutputStream out = new JarOutputStream(raw, in.getManifest())) {
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                out.putNextEntry(new JarEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/redeployed.txt"));
            out.write("changed".getBytes());
            out.closeEntry();
        }
    }
}
