package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * Each provider bundle is stopped and started, updated from its jar, and uninstalled and installed again
 * while its devices fire from their own threads: every interrupt fired is delivered exactly once (none
 * lost, none twice, none merged), because the messages stay in the devices' registers and a provider
 * that binds adopts the live storage instead of re-running its enable sequence.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotSwapIT extends MsiTestSupport {

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @Test
    public void pciProvider() throws Exception {
        swapUnderFire("pci-provider", PCI_PROVIDER, List.of(new Source("00:04.0", 4), new Source("00:1f.2", 1),
                new Source("04:00.0", 15)));
    }

    @Test
    public void hpetProvider() throws Exception {
        swapUnderFire("hpet-provider", "org.msidomain.provider.hpet", List.of(new Source("hpet", 2, 3, 4, 5)));
    }

    @Test
    public void dmarProvider() throws Exception {
        swapUnderFire("dmar-provider", "org.msidomain.provider.dmar", List.of(new Source("dmar0", 3)));
    }

    @Test
    public void platformProvider() throws Exception {
        swapUnderFire("platform-provider", "org.msidomain.provider.platform",
                List.of(new Source("ims0", 8), new Source("queue0", 4)));
    }

    /** A device and the MSI indices it fires. */
    private static final class Source {
        final String device;
        final int[] indices;
        final AtomicLong fired = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();

        Source(String device, int count) {
            this.device = device;
            this.indices = java.util.stream.IntStream.range(0, count).toArray();
        }

        Source(String device, int... indices) {
            this.device = device;
            this.indices = indices;
        }
    }

    private void swapUnderFire(String artifact, String bsn, List<Source> sources) throws Exception {
        awaitAllBound();
        for (Source s : sources) {
            request(s);
        }
        long lostBefore = machine.lostMessages();
        long coalescedBefore = machine.coalescedMessages();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Source s : sources) {
            HwDevice device = machine.device(s.device).get();
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        for (int index : s.indices) {
                            device.raise(index);
                            s.fired.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "fire-" + s.device);
            threads.add(t);
            t.start();
        }
        try {
            Bundle provider = installed(bsn);
            awaitFiring(sources);
            provider.stop();
            awaitDevices(sources, BindingState.UNBOUND);
            awaitFiring(sources);
            provider.start();
            awaitDevices(sources, BindingState.BOUND);
            awaitFiring(sources);
            try (InputStream in = new FileInputStream(providerJar(artifact))) {
                provider.update(in);
            }
            awaitDevices(sources, BindingState.BOUND);
            awaitFiring(sources);
            String location = provider.getLocation();
            provider.uninstall();
            awaitDevices(sources, BindingState.UNBOUND);
            awaitFiring(sources);
            installProvider(artifact, location);
            awaitDevices(sources, BindingState.BOUND);
            awaitFiring(sources);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        assertEquals("a firing thread failed: " + failure.get(), null, failure.get());
        domain.awaitSettled(10_000);
        for (Source s : sources) {
            assertTrue(s.device + " fired", s.fired.get() > 1000);
            assertEquals(s.device + ": every interrupt delivered exactly once", s.fired.get(), s.delivered.get());
        }
        assertEquals("none lost", lostBefore, machine.lostMessages());
        assertEquals("none merged", coalescedBefore, machine.coalescedMessages());
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            assertEquals("none spurious", 0, domain.spurious(cpu));
        }
        System.out.println(bsn + ": " + sources.stream().map(s -> s.device + " fired=" + s.fired.get()
                + " delivered=" + s.delivered.get()).toList() + " across stop/start, update, uninstall/install");
    }

    /** Allocates and requests the source's vectors; the DMAR unit's handler clears the event status. */
    private void request(Source s) {
        boolean dmar = s.device.startsWith("dmar");
        boolean hpet = s.device.equals("hpet");
        int[] irqs = new int[s.indices.length];
        if (hpet) {
            for (int i = 0; i < s.indices.length; i++) {
                irqs[i] = domain.allocateAt(s.device, s.indices[i]);
            }
        } else {
            irqs = domain.allocate(s.device, s.indices.length);
        }
        HwDevice device = machine.device(s.device).get();
        int[] status = { 0x34, 0x9C, 0xDC };
        for (int i = 0; i < irqs.length; i++) {
            int index = s.indices[i];
            domain.setHandler(irqs[i], "swap", dmar ? (n, cpu) -> {
                s.delivered.incrementAndGet();
                device.region(0).write32(status[index], -1);
            } : (n, cpu) -> s.delivered.incrementAndGet());
        }
    }

    private void awaitAllBound() throws InterruptedException {
        domain.awaitSettled(10_000);
        for (var d : domain.devices()) {
            awaitState(d.id(), BindingState.BOUND);
        }
    }

    private void awaitDevices(List<Source> sources, BindingState state) throws InterruptedException {
        for (Source s : sources) {
            awaitState(s.device, state);
        }
    }

    /** Waits, bounded, until every source has fired at least 500 more times: the step overlapped firing. */
    private static void awaitFiring(List<Source> sources) throws InterruptedException {
        long[] start = sources.stream().mapToLong(s -> s.fired.get()).toArray();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < start.length; i++) {
            while (sources.get(i).fired.get() < start[i] + 500) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(sources.get(i).device + " stopped firing");
                }
                Thread.onSpinWait();
            }
        }
    }
}
