package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * The deploy folder (Apache Felix FileInstall): a provider jar dropped in is installed and started and
 * its devices bind; replacing the jar updates the bundle; removing it uninstalls it and the devices are
 * unbound again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class DeployFolderIT extends MsiTestSupport {

    private static final File DEPLOY = new File("target/deploy-it").getAbsoluteFile();

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() throws IOException {
        DEPLOY.mkdirs();
        for (File f : DEPLOY.listFiles()) {
            Files.delete(f.toPath());
        }
        return OptionUtils.combine(baseConfiguration(false),
                CoreOptions.bundle(bundleJar("org.apache.felix.fileinstall").toURI().toString()),
                systemProperty("felix.fileinstall.dir").value(DEPLOY.getPath()),
                systemProperty("felix.fileinstall.poll").value("100"),
                systemProperty("felix.fileinstall.noInitialDelay").value("true"),
                systemProperty("felix.fileinstall.bundles.new.start").value("true"),
                systemProperty("felix.fileinstall.enableConfigSave").value("false"));
    }

    @Test
    public void droppingReplacingAndRemovingAProviderJar() throws Exception {
        Path jar = DEPLOY.toPath().resolve("pci-provider.jar");
        Files.copy(providerJar("pci-provider").toPath(), jar);
        awaitState("00:04.0", BindingState.BOUND);
        Bundle provider = deployed().orElseThrow();
        assertTrue(provider.getLocation(), provider.getLocation().contains("deploy-it"));
        int irq = domain.allocate("00:04.0", 1)[0];
        AtomicLong handled = new AtomicLong();
        domain.setHandler(irq, "it", (n, cpu) -> handled.incrementAndGet());
        machine.device("00:04.0").get().raise(0);
        assertEquals(1, handled.get());

        long modified = provider.getLastModified();
        Path changed = Files.createTempFile("pci-provider", ".jar");
        withExtraEntry(providerJar("pci-provider").toPath(), changed);
        Files.move(changed, jar, StandardCopyOption.REPLACE_EXISTING);
        await(() -> provider.getLastModified() > modified, "the bundle updated");
        awaitState("00:04.0", BindingState.BOUND);
        machine.device("00:04.0").get().raise(0);
        assertEquals("delivers after the update", 2, handled.get());

        Files.delete(jar);
        await(() -> deployed().isEmpty(), "the bundle uninstalled");
        awaitState("00:04.0", BindingState.UNBOUND);
        machine.device("00:04.0").get().raise(0);
        assertEquals("the programmed message still delivers without a provider", 3, handled.get());
        assertEquals("the api bundle was never refreshed", Bundle.ACTIVE, installed("org.msidomain.api").getState());
    }

    @Test
    public void aCfgFileDroppedEditedAndRemovedReconfiguresTheRunningMachine() throws Exception {
        assertEquals(4, machine.cpuCount());
        Path cfg = DEPLOY.toPath().resolve("org.msidomain.machine.cfg");
        Files.writeString(cfg, "cpus = 6\n");
        await(() -> cpus() == 6, "6 CPUs from the dropped .cfg file");
        Files.writeString(cfg, "cpus = 2\napicIds = 4, 9\n");
        await(() -> cpus() == 2, "2 CPUs from the edited file");
        Machine edited = context.getService(context.getServiceReference(Machine.class));
        assertEquals(9, edited.apicId(1));
        Files.delete(cfg);
        await(() -> cpus() == 4, "the launcher's machine again once the file is gone");
    }

    /** The CPUs of the Machine service registered now (a configuration change replaces it). */
    private int cpus() {
        org.osgi.framework.ServiceReference<Machine> ref = context.getServiceReference(Machine.class);
        Machine m = ref == null ? null : context.getService(ref);
        return m == null ? -1 : m.cpuCount();
    }

    private Optional<Bundle> deployed() {
        return Arrays.stream(context.getBundles()).filter(b -> PCI_PROVIDER.equals(b.getSymbolicName())).findFirst();
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

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20); // FileInstall polls the folder every 100 ms
        }
    }
}
