package org.msidomain.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.MsiEvents;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/** Provider bind, unbind and restore are posted through Event Admin. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class EventsIT extends MsiTestSupport {

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @Test
    public void stopAndStartOfAProviderArePostedAsEvents() throws Exception {
        awaitState("00:04.0", BindingState.BOUND);
        int[] irqs = domain.allocate("00:04.0", 3);
        BlockingQueue<Event> received = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, "org/msidomain/*");
        context.registerService(EventHandler.class, received::add, props);

        Bundle provider = installed(PCI_PROVIDER);
        provider.stop();
        Event unbound = next(received, MsiEvents.PROVIDER_UNBOUND);
        assertEquals(PCI_PROVIDER, unbound.getProperty(MsiEvents.PROVIDER));
        assertArrayEquals(new String[] { "pci" }, (String[]) unbound.getProperty(MsiEvents.TYPES));
        provider.start();
        assertEquals(PCI_PROVIDER, next(received, MsiEvents.PROVIDER_BOUND).getProperty(MsiEvents.PROVIDER));
        Event restored = next(received, MsiEvents.DEVICE_RESTORED);
        assertEquals("00:04.0", restored.getProperty(MsiEvents.DEVICE));
        assertEquals(irqs.length, restored.getProperty(MsiEvents.VECTORS));
    }

    /** The next event of a topic, skipping others, within 10 s. */
    private static Event next(BlockingQueue<Event> queue, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Event e = queue.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.getTopic().equals(topic)) {
                return e;
            }
        }
        assertNotNull("no " + topic + " within 10 s", null);
        return null;
    }
}
