package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.MsiDomain;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.Filter;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The domain waits for the parent of the machine's architecture: without the x86 parent bundle there is no MSI
 * domain, and {@code msi:why} and {@code msi:health} name what is missing; when the parent comes back the domain
 * does, and its own commands replace the waiting ones.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ParentWaitIT extends MsiTestSupport {

    private static final String X86_PARENT = "org.msidomain.parent.x86";
    private static final String REASON = "no MSI domain: the machine's architecture x86 has no parent domain (no MsiParent "
            + "service with msi.arch=x86; install the parent bundle of x86)";

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @Test
    public void withoutItsParentTheDomainWaitsAndWhySaysWhy() throws Exception {
        awaitState("00:04.0", BindingState.BOUND);
        Bundle parent = installed(X86_PARENT);
        parent.stop();

        java.util.concurrent.CountDownLatch withdrawn = new java.util.concurrent.CountDownLatch(1);
        ServiceTracker<Object, Object> waitingTracker = new ServiceTracker<>(context, filter(), null) {
            @Override
            public void removedService(org.osgi.framework.ServiceReference<Object> reference, Object service) {
                withdrawn.countDown();
                super.removedService(reference, service);
            }
        };
        waitingTracker.open();
        try {
            Object waiting = waitingTracker.waitForService(30_000);
            assertNotNull("msi:why is offered while the domain waits", waiting);
            assertNull("no domain without a parent", context.getServiceReference(MsiDomain.class));
            assertEquals("00:04.0: " + REASON, waiting.getClass().getMethod("why", String[].class)
                    .invoke(waiting, (Object) new String[] {"00:04.0"}));
            try {
                waiting.getClass().getMethod("health", String[].class).invoke(waiting, (Object) new String[0]);
                throw new AssertionError("msi:health reported a platform without a domain as healthy");
            } catch (InvocationTargetException e) {
                assertEquals(REASON, e.getCause().getMessage());
            }

            parent.start();
            assertTrue("the waiting commands are withdrawn when the parent comes",
                    withdrawn.await(30, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            waitingTracker.close();
        }
        ServiceTracker<MsiDomain, MsiDomain> domains = new ServiceTracker<>(context, MsiDomain.class, null);
        domains.open();
        try {
            MsiDomain back = domains.waitForService(30_000);
            assertNotNull("the domain is back with its parent", back);
            domain = back;
            assertEquals(BindingState.BOUND, awaitState("00:04.0", BindingState.BOUND).state());
        } finally {
            domains.close();
        }
    }

    private Filter filter() throws Exception {
        return context.createFilter("(&(osgi.command.scope=msi)(osgi.command.function=why)(objectClass=java.lang.Object))");
    }
}
