package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;
import static org.ops4j.pax.exam.OptionUtils.combine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.Machine;
import org.msidomain.itest.bad.MisbehavingActivator;
import org.msidomain.itest.bad.MisbehavingProvider;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * Provider bundles with bugs, built here with TinyBundles, installed next to the real ones: one throws
 * in writeMsg, one blocks in lock and ignores interrupts. The core marks the devices they take failed
 * with the reason, keeps every other device and provider running, and the real provider recovers the
 * devices once the bad bundle is gone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class MisbehavingProvidersIT extends MsiTestSupport {

    private static final String THROWING = "org.msidomain.itest.bad.throwing";
    private static final String BLOCKING = "org.msidomain.itest.bad.blocking";

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return combine(baseConfiguration(), options(frameworkProperty("msi.provider.timeout.ms").value("300"),
                badBundle(THROWING, MisbehavingProvider.THROW_IN_WRITE), badBundle(BLOCKING, MisbehavingProvider.BLOCK_IN_LOCK)));
    }

    /** A bundle with the misbehaving provider's classes, installed but not started. */
    private static Option badBundle(String symbolicName, String mode) {
        return streamBundle(TinyBundles.bundle()
                .addClass(MisbehavingProvider.class, InnerClassStrategy.ALL)
                .addClass(MisbehavingActivator.class)
                .symbolicName(symbolicName)
                .activator(MisbehavingActivator.class)
                .setHeader(Constants.BUNDLE_MANIFESTVERSION, "2")
                .setHeader(Constants.BUNDLE_VERSION, "6.6.6")
                .setHeader(Constants.IMPORT_PACKAGE, "org.msidomain.api,org.msidomain.spi,org.msidomain.hw,org.osgi.framework")
                .setHeader(MisbehavingProvider.MODE_HEADER, mode)
                .build(TinyBundles.rawBuilder())).noStart();
    }

    @Test
    public void aProviderThatThrowsIsContainedAndTheRealOneRecoversItsDevices() throws Exception {
        awaitState("ims0", BindingState.BOUND);
        AtomicLong handled = new AtomicLong();
        int irq = requested("ims0", handled);
        fire("ims0", 0);
        assertEquals(1, handled.get());

        Bundle bad = installed(THROWING);
        bad.start();
        DeviceInfo failed = awaitState("ims0", BindingState.FAILED);
        assertEquals("provider " + THROWING + " failed to restore: bug in writeMsg", failed.reason());
        ProviderInfo badInfo = domain.providers().stream().filter(p -> p.symbolicName().equals(THROWING)).findFirst().orElseThrow();
        assertEquals("failed on 1 device", badInfo.state());
        assertEquals("6.6.6", badInfo.version());

        fire("ims0", 0);
        assertEquals("the failed device keeps delivering with the message in its registers", 2, handled.get());
        domain.mask(irq); // no storage to mask: held at the destination
        fire("ims0", 0);
        assertEquals(2, handled.get());
        domain.unmask(irq);
        assertEquals("held while masked, delivered once on unmask", 3, handled.get());
        assertOtherDevicesWork();

        bad.uninstall();
        DeviceInfo recovered = awaitState("ims0", BindingState.BOUND);
        assertEquals("org.msidomain.provider.platform", recovered.provider());
        domain.mask(irq);
        fire("ims0", 0);
        domain.unmask(irq);
        assertEquals("the real provider masks at the source again and the latched message comes once", 4, handled.get());
    }

    @Test
    public void aProviderThatBlocksIsAbandonedAfterTheBoundAndTheDomainGoesOn() throws Exception {
        awaitState("ims0", BindingState.BOUND);
        AtomicLong handled = new AtomicLong();
        requested("ims0", handled);

        Bundle bad = installed(BLOCKING);
        long start = System.nanoTime();
        bad.start(); // binding restores ims0 through it: its lock never returns
        DeviceInfo failed = awaitState("ims0", BindingState.FAILED);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("provider " + BLOCKING + " blocked in lock on ims0 for more than 300 ms; the call was abandoned",
                failed.reason());
        assertTrue("abandoned after the bound, took " + took + " ms", took >= 300 && took < 5000);
        assertTrue("the binder thread stranded in the provider was replaced", domain.awaitSettled(5000));

        fire("ims0", 1);
        assertEquals("delivery goes on", 1, handled.get());
        assertOtherDevicesWork();

        bad.uninstall(); // releases the stuck thread, which unwinds without touching the domain
        DeviceInfo recovered = awaitState("ims0", BindingState.BOUND);
        assertEquals("org.msidomain.provider.platform", recovered.provider());
        fire("ims0", 1);
        assertEquals(2, handled.get());
        assertFalse("no thread is left inside the bad provider", threadInside(MisbehavingProvider.class.getName()));
    }

    private int requested(String device, AtomicLong handled) {
        int irq = domain.allocate(device, 2)[0];
        domain.setHandler(irq, "h0", (i, cpu) -> handled.incrementAndGet());
        domain.setHandler(irq + 1, "h1", (i, cpu) -> handled.incrementAndGet());
        return irq;
    }

    private void fire(String device, int index) {
        machine.device(device).orElseThrow().raise(index);
    }

    /** A PCI device and the HPET, served by other providers, allocate, move and deliver as before. */
    private void assertOtherDevicesWork() {
        AtomicLong pci = new AtomicLong();
        int irq = domain.allocate("00:04.0", 1)[0];
        domain.setHandler(irq, "pci", (i, cpu) -> pci.incrementAndGet());
        domain.setAffinity(irq, 2);
        fire("00:04.0", 0);
        assertEquals(1, pci.get());
        assertEquals(Long.valueOf(1), domain.irq(irq).orElseThrow().counts().get(2));
        domain.free("00:04.0");
        assertEquals(BindingState.BOUND, domain.devices().stream().filter(d -> d.id().equals("hpet")).findFirst()
                .orElseThrow().state());
    }

    private static boolean threadInside(String className) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean inside = Thread.getAllStackTraces().values().stream()
                    .anyMatch(stack -> java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith(className)));
            if (!inside) {
                return false;
            }
            Thread.sleep(10); // the released thread is on its way out
        }
        return true;
    }
}
