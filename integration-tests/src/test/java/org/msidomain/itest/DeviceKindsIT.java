package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;
import static org.ops4j.pax.exam.OptionUtils.combine;

import java.io.File;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiEvents;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.itest.kind.SlotArrayActivator;
import org.msidomain.itest.kind.SlotArrayKind;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * A device kind from a bundle, built here with TinyBundles against the api only, as an outside developer
 * would: the machine description lists a device of that kind and one of a kind nobody provides. Both wait
 * at boot; the kind's bundle brings its device up (served by the built-in platform provider) and takes it
 * away again as a surprise removal, while other devices fire throughout and lose nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class DeviceKindsIT extends MsiTestSupport {

    private static final String KIND_BUNDLE = "org.msidomain.itest.kind.slotarray";
    private static final String MACHINE = "{\"cpus\": 4, \"platform\": [{\"name\": \"ims0\", \"slots\": 8}], \"devices\": ["
            + "{\"kind\": \"" + SlotArrayKind.KIND + "\", \"name\": \"x0\", \"properties\": {\"slots\": 4}},"
            + "{\"kind\": \"nosuchkind\", \"name\": \"y0\"},"
            + "{\"kind\": \"" + SlotArrayKind.KIND + "\", \"name\": \"z0\", \"properties\": {\"table\": \"fifo\"}}]}";

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() throws IOException {
        File description = new File("target/device-kinds-machine.json");
        Files.writeString(description.toPath(), MACHINE);
        return combine(baseConfiguration(), options(
                frameworkProperty("msi.machine.file").value(description.getAbsolutePath()),
                streamBundle(TinyBundles.bundle()
                        .addClass(SlotArrayKind.class, InnerClassStrategy.ALL)
                        .addClass(SlotArrayActivator.class)
                        .symbolicName(KIND_BUNDLE)
                        .activator(SlotArrayActivator.class)
                        .setHeader(Constants.BUNDLE_MANIFESTVERSION, "2")
                        .setHeader(Constants.BUNDLE_VERSION, "1.0.0")
                        .setHeader(Constants.IMPORT_PACKAGE, "org.msidomain.hw;version=\"[1.1,2)\",org.osgi.framework")
                        .build(TinyBundles.rawBuilder())).noStart()));
    }

    @Test
    public void aDeviceOfAMissingKindWaitsAndComesUpWhenItsKindArrives() throws Exception {
        awaitState("ims0", BindingState.BOUND);
        DeviceInfo x0 = state("x0");
        assertEquals(BindingState.WAITING, x0.state());
        assertEquals("no device kind '" + SlotArrayKind.KIND + "' is installed", x0.reason());
        assertEquals("no device kind 'nosuchkind' is installed", state("y0").reason());
        assertFalse("a waiting device is not part of the machine", machine.device("x0").isPresent());
        BlockingQueue<Event> events = events();

        try (Firing others = new Firing(machine.device("ims0").orElseThrow(), domain.allocate("ims0", 2))) {
            installed(KIND_BUNDLE).start();
            DeviceInfo up = awaitState("x0", BindingState.BOUND);
            assertEquals("org.msidomain.provider.platform", up.provider());
            assertEquals("x0", next(events, MsiEvents.DEVICE_ADDED).getProperty(MsiEvents.DEVICE));

            int[] irqs = domain.allocate("x0", 4);
            AtomicLongArray handled = handlers(irqs);
            HwDevice device = machine.device("x0").orElseThrow();
            for (int slot = 0; slot < 4; slot++) {
                device.raise(slot);
                assertEquals("slot " + slot + " delivered once", 1, handled.get(slot));
            }
            domain.mask(irqs[1]);
            device.raise(1);
            device.raise(1);
            assertEquals("masked at the source: held", 1, handled.get(1));
            domain.unmask(irqs[1]);
            assertEquals("two events while masked, one delivery on unmask", 2, handled.get(1));
            others.assertNothingLost();
        }
        assertEquals(BindingState.WAITING, state("y0").state());
        DeviceInfo z0 = awaitState("z0", BindingState.UNBOUND);
        assertTrue("the platform provider declines a table it does not know: " + z0.reason(), z0.reason().contains(
                "org.msidomain.provider.platform") && z0.reason().contains("message table kind 'fifo' is neither slots nor queue"));
    }

    @Test
    public void theKindLeavingTakesItsDevicesAwayAsASurpriseRemoval() throws Exception {
        Bundle kind = installed(KIND_BUNDLE);
        kind.start();
        awaitState("x0", BindingState.BOUND);
        int[] irqs = domain.allocate("x0", 4);
        AtomicLongArray handled = handlers(irqs);
        BlockingQueue<Event> events = events();
        HwDevice stale = machine.device("x0").orElseThrow();
        WeakReference<ClassLoader> loader = new WeakReference<>(kind.adapt(BundleWiring.class).getClassLoader());

        try (Firing others = new Firing(machine.device("ims0").orElseThrow(), domain.allocate("ims0", 2));
                Firing removed = new Firing(stale, null)) {
            removed.awaitRaises(1_000);
            kind.stop();
            DeviceInfo waiting = awaitState("x0", BindingState.WAITING);
            assertEquals("no device kind '" + SlotArrayKind.KIND + "' is installed", waiting.reason());
            Event gone = next(events, MsiEvents.DEVICE_REMOVED);
            assertEquals("x0", gone.getProperty(MsiEvents.DEVICE));
            assertEquals(4, gone.getProperty(MsiEvents.VECTORS));

            long[] after = snapshot(handled);
            long raisedBefore = removed.raises();
            removed.awaitRaises(raisedBefore + 1_000); // the removed device's writes go nowhere now
            assertEquals("no handler of the removed device is called after its removal", List.of(toList(after)),
                    List.of(toList(snapshot(handled))));
            for (int irq : irqs) {
                assertFalse("irq " + irq + " freed", domain.irq(irq).isPresent());
            }
            others.assertNothingLost();
        }
        try {
            domain.irqOf("x0", 0);
            fail("a waiting device has no vectors");
        } catch (IllegalArgumentException expected) {
            // the device is described, not present
        }

        // the vectors went back: the same count can be allocated again on the other device's CPUs
        kind.start();
        awaitState("x0", BindingState.BOUND);
        assertEquals("a device that comes back starts with no vectors", 0, state("x0").vectors());
        int[] again = domain.allocate("x0", 4);
        AtomicLongArray handledAgain = handlers(again);
        machine.device("x0").orElseThrow().raise(3);
        assertEquals(1, handledAgain.get(3));

        stale = null;
        uninstallAndRefresh(kind);
        assertTrue("the kind's class loader is collectable once its bundle is uninstalled", collected(loader));
    }

    // ---- helpers ----

    private DeviceInfo state(String device) throws InterruptedException {
        domain.awaitSettled(10_000);
        return domain.devices().stream().filter(d -> d.id().equals(device)).findFirst()
                .orElseThrow(() -> new AssertionError("no device " + device + " in " + domain.devices()));
    }

    private AtomicLongArray handlers(int[] irqs) {
        AtomicLongArray handled = new AtomicLongArray(irqs.length);
        for (int k = 0; k < irqs.length; k++) {
            int slot = k;
            domain.setHandler(irqs[k], "x0-" + k, (irq, cpu) -> handled.incrementAndGet(slot));
        }
        return handled;
    }

    private static long[] snapshot(AtomicLongArray a) {
        long[] out = new long[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i);
        }
        return out;
    }

    private static List<Long> toList(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private BlockingQueue<Event> events() {
        BlockingQueue<Event> received = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, "org/msidomain/*");
        context.registerService(EventHandler.class, received::add, props);
        return received;
    }

    /** The next event of a topic, skipping others, within 10 s. */
    private static Event next(BlockingQueue<Event> queue, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            Event e = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + topic + " event within 10 s");
            }
            if (e.getTopic().equals(topic)) {
                return e;
            }
        }
    }

    private void uninstallAndRefresh(Bundle b) throws Exception {
        b.uninstall();
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> refreshed.countDown());
        assertTrue("refresh within 10 s", refreshed.await(10, TimeUnit.SECONDS));
    }

    private static boolean collected(WeakReference<ClassLoader> loader) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loader.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20); // gives the collector a turn; the loop ends as soon as the loader is gone
        }
        return loader.get() == null;
    }

    /**
     * A thread raising a device's interrupts round robin. With irqs, it counts what their handlers get and
     * checks that every raise was delivered exactly once (nothing is masked meanwhile); without, it only
     * raises (a removed device).
     */
    private final class Firing implements AutoCloseable {

        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong raised = new AtomicLong();
        private final AtomicLong handled = new AtomicLong();
        private final Thread thread;

        Firing(HwDevice device, int[] irqs) {
            int count = irqs == null ? 4 : irqs.length;
            if (irqs != null) {
                for (int irq : irqs) {
                    domain.setHandler(irq, "firing", (i, cpu) -> handled.incrementAndGet());
                }
            }
            thread = new Thread(() -> {
                for (int k = 0; !stop.get(); k++) {
                    device.raise(k % count);
                    if ((k & 63) == 63) {
                        Thread.yield(); // two cores: leave room for the binder and SCR
                    }
                    raised.incrementAndGet();
                }
            }, "firing-" + device.id());
            thread.start();
        }

        long raises() {
            return raised.get();
        }

        /** Waits until the thread has raised at least {@code count} interrupts (bounded). */
        void awaitRaises(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (raised.get() < count) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new AssertionError("the firing thread raised only " + raised.get() + " of " + count);
                }
                Thread.onSpinWait();
            }
        }

        void assertNothingLost() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
            assertFalse("the firing thread ended", thread.isAlive());
            assertTrue("it fired", raised.get() > 0);
            assertEquals("every raise delivered exactly once", raised.get(), handled.get());
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }
}
