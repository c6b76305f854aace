package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;

import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Stopping and starting the core bundle is a new kernel on the same machine: the new domain hands out the
 * vectors the old one did, so the machine quiesces every device when the new domain connects (as Linux's
 * enumeration does at boot). A device the old domain programmed fires nothing into the new owner's
 * vector.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class CoreRestartIT extends MsiTestSupport {

    private static final String CORE = "org.msidomain.core";
    private static final String OLD = "00:04.0"; // virtio-net, MSI-X
    private static final String NEW = "00:05.0"; // another virtio function, MSI-X

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @Test
    public void aDeviceTheOldDomainProgrammedFiresNothingIntoTheNewOwnersVector() throws Exception {
        awaitState(OLD, BindingState.BOUND);
        int oldIrq = domain.allocate(OLD, 1)[0];
        AtomicInteger oldHandled = new AtomicInteger();
        domain.setHandler(oldIrq, "old", (n, cpu) -> oldHandled.incrementAndGet());
        IrqInfo old = domain.irq(oldIrq).get();
        HwDevice oldDevice = machine.device(OLD).get();
        oldDevice.raise(0);
        assertEquals("the old domain's interrupt works", 1, oldHandled.get());

        Bundle core = installed(CORE);
        core.stop();
        core.start();
        domain = newDomain();
        awaitState(NEW, BindingState.BOUND);
        int newIrq = domain.allocate(NEW, 1)[0];
        AtomicInteger newHandled = new AtomicInteger();
        domain.setHandler(newIrq, "new", (n, cpu) -> newHandled.incrementAndGet());
        IrqInfo now = domain.irq(newIrq).get();
        // a fresh vector matrix gives the same first vector: the case where a stale message would hit it
        assertEquals("same CPU as the old interrupt", old.cpu(), now.cpu());
        assertEquals("same vector as the old interrupt", old.vector(), now.vector());
        long spurious = domain.spurious(old.cpu());

        String refused = null;
        try {
            oldDevice.raise(0); // the old domain's message: the new owner's CPU and vector
        } catch (IllegalStateException e) {
            refused = e.getMessage();
        }
        assertEquals("nothing reached the new owner", 0, newHandled.get());
        assertEquals("nor was it counted as spurious", spurious, domain.spurious(old.cpu()));
        assertEquals("device 00:04.0 has no message-signalled interrupt enabled", refused);
        assertEquals(1, oldHandled.get());
        assertEquals("MSI-X Enable cleared, Function Mask as it was", 0,
                oldDevice.config().get().read16(0x98 + 2) & 0x8000);

        machine.device(NEW).get().raise(0);
        assertEquals("the new owner's own interrupt arrives", 1, newHandled.get());
        // the old device is the new domain's to allocate again, from scratch
        awaitState(OLD, BindingState.BOUND);
        int again = domain.allocate(OLD, 1)[0];
        AtomicInteger againHandled = new AtomicInteger();
        domain.setHandler(again, "again", (n, cpu) -> againHandled.incrementAndGet());
        oldDevice.raise(0);
        assertEquals(1, againHandled.get());
        assertEquals(1, newHandled.get());
    }

    /** The domain the restarted core registers (the injected one is gone). */
    private MsiDomain newDomain() throws InterruptedException {
        ServiceTracker<MsiDomain, MsiDomain> tracker = new ServiceTracker<>(context, MsiDomain.class, null);
        tracker.open();
        try {
            MsiDomain d = tracker.waitForService(30_000);
            assertNotNull("the restarted core registers a domain", d);
            assertNotSame(domain, d);
            return d;
        } finally {
            tracker.close();
        }
    }
}
