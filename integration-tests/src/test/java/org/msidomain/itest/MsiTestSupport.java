package org.msidomain.itest;

import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** What every integration test boots: SCR and the platform's bundles from target/bundles. */
public abstract class MsiTestSupport {

    static final String PCI_PROVIDER = "org.msidomain.provider.pci";

    @Inject
    protected BundleContext context;

    @Inject
    protected MsiDomain domain;

    /** A jar of the bundles folder by name prefix. */
    protected static File bundleJar(String prefix) {
        File[] jars = new File(System.getProperty("msi.itest.bundles", "target/bundles"))
                .listFiles((d, name) -> name.startsWith(prefix) && name.endsWith(".jar"));
        if (jars == null || jars.length != 1) {
            throw new IllegalStateException("no single bundle " + prefix + "*.jar");
        }
        return jars[0];
    }

    /** The provider bundles' jars, by symbolic-name suffix, for tests that install them themselves. */
    protected static File providerJar(String artifact) {
        return new File(System.getProperty("msi.itest.bundles", "target/bundles"), artifact + ".jar");
    }

    protected static Option[] baseConfiguration() {
        return baseConfiguration(true);
    }

    /** Everything, or everything but the four provider bundles. */
    protected static Option[] baseConfiguration(boolean withProviders) {
        List<Option> options = new ArrayList<>();
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(junitBundles());
        File dir = new File(System.getProperty("msi.itest.bundles", "target/bundles"));
        File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("no bundles in " + dir.getAbsolutePath());
        }
        Arrays.sort(jars);
        for (File jar : jars) {
            if ((!withProviders && jar.getName().endsWith("-provider.jar")) || jar.getName().contains("fileinstall")
                    || jar.getName().contains("configadmin")) {
                continue; // FileInstall only where a test asks for a deploy folder, Config Admin where one configures
            }
            options.add(org.ops4j.pax.exam.CoreOptions.bundle(jar.toURI().toString()));
        }
        return options(options.toArray(new Option[0]));
    }

    /** Installs and starts a provider bundle from its jar, at a location of the test's choosing. */
    protected Bundle installProvider(String artifact, String location) throws Exception {
        try (java.io.InputStream in = new java.io.FileInputStream(providerJar(artifact))) {
            Bundle b = context.installBundle(location, in);
            b.start();
            return b;
        }
    }

    protected Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Waits, bounded, until the device has the binding state (the binder works asynchronously). */
    protected DeviceInfo awaitState(String device, BindingState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        DeviceInfo info = null;
        while (System.nanoTime() < deadline) {
            domain.awaitSettled(10_000);
            info = domain.devices().stream().filter(d -> d.id().equals(device)).findFirst().orElseThrow();
            if (info.state() == state) {
                return info;
            }
            Thread.sleep(10); // a service event not yet dispatched by the framework
        }
        throw new AssertionError(device + " did not become " + state + ": " + info);
    }
}
