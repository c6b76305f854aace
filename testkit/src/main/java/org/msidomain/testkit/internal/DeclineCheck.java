package org.msidomain.testkit.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.msidomain.api.MsiEvents;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * decline: a decoy ranked above the provider that declines every device is reported (DECLINED events) and
 * the devices stay bound to, and usable through, the provider under test.
 */
final class DeclineCheck extends Check {

    DeclineCheck(Kit kit) {
        super("decline", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        String kitBsn = context.getBundle().getSymbolicName();
        String reason = "the conformance kit's decoy declines every device";
        Map<String, String> declined = new ConcurrentHashMap<>();
        Dictionary<String, Object> topic = new Hashtable<>();
        topic.put(EventConstants.EVENT_TOPIC, MsiEvents.DEVICE_DECLINED);
        ServiceRegistration<EventHandler> listener = context.registerService(EventHandler.class, (Event e) -> {
            if (kitBsn.equals(e.getProperty(MsiEvents.PROVIDER))) {
                declined.put(String.valueOf(e.getProperty(MsiEvents.DEVICE)), String.valueOf(e.getProperty(MsiEvents.REASON)));
            }
        }, topic);
        AtomicInteger asked = new AtomicInteger();
        MsiStorageOps decoy = new MsiStorageOps() {
            @Override
            public Optional<String> decline(HwDevice device) {
                asked.incrementAndGet();
                return Optional.of(reason);
            }

            @Override
            public MsiStorage createStorage(HwDevice device, StorageRequest request) {
                throw new AssertionError("the decoy declined " + device.id() + " and was still asked for a storage");
            }

            @Override
            public int maxVectors(HwDevice device) {
                throw new AssertionError("the decoy declined " + device.id() + " and was still asked for its capacity");
            }
        };
        try {
            ServiceRegistration<MsiStorageOps> reg = kit.registerAbove(decoy);
            try {
                domain.awaitSettled(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!declined.keySet().containsAll(subject.devices) && System.nanoTime() < deadline) {
                    Thread.sleep(5); // Event Admin delivers asynchronously
                }
                require(declined.keySet().containsAll(subject.devices), "DECLINED events by the decoy for "
                        + declined.keySet() + ", not all of " + subject.devices);
                kit.awaitBound(bsn);
                // the devices can still be used through the provider under test
                Vectors vectors = kit.requestAll(1);
                for (Vector v : vectors.all) {
                    require(vectors.raiseOnce(v), v.device() + ": not delivered while the decoy is present");
                }
                kit.freeAll();
            } finally {
                reg.unregister();
            }
            kit.awaitBound(bsn);
        } finally {
            listener.unregister();
        }
        return pass("decoy (ranking MAX) asked " + asked + " times, DECLINED events for " + declined.keySet().stream().filter(subject.devices::contains).count()
                + "/" + subject.devices.size() + " devices; all stayed BOUND to " + bsn
                + " and delivered; decoy left, still BOUND");
    }
}
