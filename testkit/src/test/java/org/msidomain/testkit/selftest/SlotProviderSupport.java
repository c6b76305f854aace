package org.msidomain.testkit.selftest;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import org.junit.Assume;
import org.msidomain.testkit.Conformance;
import org.msidomain.testkit.ConformanceKit;
import org.msidomain.testkit.selftest.slots.SlotActivator;
import org.msidomain.testkit.selftest.slots.SlotOps;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Constants;

/**
 * Runs the kit on the slot provider of the test bundle {@link SlotOps} in one mode, on a machine with the
 * slot device ims0. Only the checks a subclass declares as tests run (the kit's own are hidden by overriding
 * them without {@code @Test}), and a subclass asserts the rows itself through {@link #runCheck}.
 */
public abstract class SlotProviderSupport extends ConformanceKit {

    protected abstract SlotOps.Mode mode();

    @Override
    @Configuration
    public Option[] config() {
        String name = mode().name().toLowerCase().replace('_', '-');
        File jar = new File("target/slot-providers/" + name + ".jar");
        try (InputStream in = TinyBundles.bundle()
                .addClass(SlotOps.class, InnerClassStrategy.ALL)
                .addClass(SlotActivator.class)
                .symbolicName("org.msidomain.testkit.slots." + name)
                .activator(SlotActivator.class)
                .setHeader(Constants.BUNDLE_MANIFESTVERSION, "2")
                .setHeader(Constants.BUNDLE_VERSION, "1.0.0")
                .setHeader(Constants.IMPORT_PACKAGE, "org.msidomain.api,org.msidomain.spi,org.msidomain.hw,org.osgi.framework")
                .setHeader(SlotOps.MODE_HEADER, mode().name())
                .build(TinyBundles.rawBuilder())) {
            Files.createDirectories(jar.getParentFile().toPath());
            Files.copy(in, jar.toPath(), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return Conformance.options(Map.of(
                "msi.conformance.bundles", jar.getPath(),
                "msi.conformance.machine", "src/test/resources/slots.json",
                "msi.conformance.storage", "platform",
                "msi.conformance.devices", "ims0",
                "msi.conformance.report", "target/conformance-slots-" + name + ".txt",
                "msi.conformance.work", "target/msi-testkit-" + name));
    }

    // the kit's checks not under test here: JUnit still runs the inherited @Test methods, which land on these
    // overrides and are reported as skipped

    @Override
    public void check1Binding() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check2Capacity() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check3Delivery() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check4Mask() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check5AffinityUnderFire() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check6BusLock() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check7HotSwap() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check8Leaks() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }

    @Override
    public void check9Decline() {
        Assume.assumeTrue("not under test on the slot provider", false);
    }
}
