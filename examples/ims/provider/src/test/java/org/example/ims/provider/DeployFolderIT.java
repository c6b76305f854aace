package org.example.ims.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

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
import org.osgi.framework.ServiceReference;

/**
 * Hot deployment through the deploy folder (Apache Felix FileInstall): the platform boots with the idxd
 * devices waiting; the device kind's jar dropped in creates them, the provider's jar binds their IMS storage;
 * both storages (MSI-X through the platform's {@code pci} provider, IMS through this one) allocate and
 * deliver; then the provider jar is removed and put back (a changed jar) while both storages fire, and every
 * raise is delivered exactly once.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployFolderIT {

    private static final String DEVICE = "dsa0";
    private static final String IMS = "idxd-ims";
    private static final String PROVIDER_BSN = "org.example.ims.provider";
    private static final long TIMEOUT_S = 60;

    @Inject
    private BundleContext context;

    @Inject
    private MsiDomain domain;

    @Configuration
    public Option[] config() throws IOException {
        File deploy = new File("target/deploy-it").getAbsoluteFile();
        deploy.mkdirs();
        for (File f : deploy.listFiles()) {
            Files.delete(f.toPath());
        }
        // the bundles under test, as the conformance run names them: this provider's jar and the device jar
        java.util.Iterator<File> subjects = Conformance.bundlesUnderTest().values().iterator();
        File providerJar = subjects.next();
        File deviceJar = subjects.next();
        // the kit's platform with FileInstall on the folder; the bundles under test come through the folder
        return Conformance.deployFolder(deploy,
                frameworkProperty("ims.it.provider").value(providerJar.getPath()),
                frameworkProperty("ims.it.device").value(deviceJar.getPath()));
    }

    @Test
    public void kindAndProviderDeployedThenProviderReplacedWhileFiring() throws Exception {
        Path deploy = Path.of(context.getProperty(Conformance.DEPLOY));
        Path providerJar = Path.of(context.getProperty("ims.it.provider"));
        assertEquals("no kind yet: the device waits", BindingState.WAITING, state(DEVICE, ""));

        Files.copy(Path.of(context.getProperty("ims.it.device")), deploy.resolve("ims-device.jar"));
        await(() -> state(DEVICE, "pci") == BindingState.BOUND, "dsa0 created by the deployed kind, MSI-X bound to pci");
        assertEquals("no IMS provider yet", BindingState.UNBOUND, state(DEVICE, IMS));

        Path deployed = deploy.resolve("ims-provider.jar");
        Files.copy(providerJar, deployed);
        await(() -> state(DEVICE, IMS) == BindingState.BOUND, "dsa0's IMS bound to the deployed provider");
        Bundle first = provider();
        assertTrue(first.getLocation(), first.getLocation().contains("deploy-it"));

        int[] msix = domain.allocate(DEVICE, 2);
        int[] ims = domain.allocate(DEVICE, 4, IMS);
        int[] irqs = new int[msix.length + ims.length];
        System.arraycopy(msix, 0, irqs, 0, msix.length);
        System.arraycopy(ims, 0, irqs, msix.length, ims.length);
        AtomicLongArray delivered = new AtomicLongArray(irqs.length);
        for (int k = 0; k < irqs.length; k++) {
            int slot = k;
            domain.setHandler(irqs[k], "deploy-it", (irq, cpu) -> delivered.incrementAndGet(slot));
        }
        HwDevice dsa = machine().device(DEVICE).orElseThrow();
        assertEquals("PCI-MSIX-0000:6a:01.0", domain.irq(msix[0]).orElseThrow().chip());
        assertEquals("PCI-IDXD-0000:6a:01.0", domain.irq(ims[0]).orElseThrow().chip());
        long lostBefore = machine().lostMessages();

        // both storages fire, each from its own thread, while the provider jar is removed and put back
        AtomicLongArray fired = new AtomicLongArray(irqs.length);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> firing = new ArrayList<>();
        firing.add(firer(stop, fired, 0, msix.length, k -> dsa.raise(k)));
        firing.add(firer(stop, fired, msix.length, ims.length, k -> dsa.raise(IMS, k - msix.length)));
        firing.forEach(Thread::start);
        await(() -> total(fired) > 2_000, "firing before the swap");

        Files.delete(deployed);
        await(() -> provider() == null, "the provider uninstalled");
        await(() -> state(DEVICE, IMS) == BindingState.UNBOUND, "dsa0's IMS unbound");
        long whileGone = total(fired);
        await(() -> total(fired) > whileGone + 2_000, "firing with no IMS provider");

        Path changed = Files.createTempFile(deploy.getParent(), "ims-provider", ".jar");
        withExtraEntry(providerJar, changed);
        Files.move(changed, deployed, StandardCopyOption.REPLACE_EXISTING);
        await(() -> provider() != null && provider().getState() == Bundle.ACTIVE, "the provider installed again");
        await(() -> state(DEVICE, IMS) == BindingState.BOUND, "dsa0's IMS bound again (adopted)");
        long afterSwap = total(fired);
        await(() -> total(fired) > afterSwap + 2_000, "firing after the swap");
        stop.set(true);
        for (Thread t : firing) {
            t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        }
        assertNotEquals("a new bundle", first.getBundleId(), provider().getBundleId());

        await(() -> total(delivered) == total(fired), "every raise delivered");
        for (int k = 0; k < irqs.length; k++) {
            assertEquals("irq " + irqs[k] + " (" + domain.storageOf(irqs[k]) + "): delivered = fired", fired.get(k), delivered.get(k));
            assertTrue("irq " + irqs[k] + " fired", fired.get(k) > 0);
        }
        assertEquals("no message lost by the machine", lostBefore, machine().lostMessages());
        System.out.println("deploy-folder: fired " + total(fired) + " (MSI-X " + sum(fired, 0, msix.length) + ", IMS "
                + sum(fired, msix.length, irqs.length) + "), delivered " + total(delivered)
                + " exactly once; provider bundle " + first.getBundleId() + " -> " + provider().getBundleId());

        // the kind's jar removed: the device leaves and waits again
        Files.delete(deploy.resolve("ims-device.jar"));
        await(() -> state(DEVICE, "") == BindingState.WAITING, "dsa0 waiting again without its kind");
    }

    private interface Raise {
        void raise(int k);
    }

    private static Thread firer(AtomicBoolean stop, AtomicLongArray fired, int from, int count, Raise raise) {
        return new Thread(() -> {
            for (int n = 0; !stop.get(); n++) {
                int k = from + n % count;
                fired.incrementAndGet(k);
                raise.raise(k);
            }
        }, "deploy-it-fire-" + from);
    }

    private static long total(AtomicLongArray a) {
        return sum(a, 0, a.length());
    }

    private static long sum(AtomicLongArray a, int from, int to) {
        long s = 0;
        for (int k = from; k < to; k++) {
            s += a.get(k);
        }
        return s;
    }

    /** The device's storage state ({@code ""}: any row of it, as a waiting device has one without a type). */
    private BindingState state(String device, String storage) {
        return domain.devices().stream()
                .filter(d -> d.id().equals(device) && (storage.isEmpty() || d.storageType().equals(storage)))
                .map(DeviceInfo::state).findFirst().orElse(null);
    }

    private Machine machine() {
        ServiceReference<Machine> ref = context.getServiceReference(Machine.class);
        return context.getService(ref);
    }

    private Bundle provider() {
        return Arrays.stream(context.getBundles()).filter(b -> PROVIDER_BSN.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    /** The same bundle with one more entry: different bytes, as a rebuilt jar would be. */
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

    /** Waits for a condition the deploy folder brings about (FileInstall polls every 100 ms). */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT_S + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
