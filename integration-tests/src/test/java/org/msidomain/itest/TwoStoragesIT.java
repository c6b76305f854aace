package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.OptionUtils.combine;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * A device with two storages (issue 12): a PCI function with MSI-X and an IMS slot array beside it, described
 * as a {@code devices} entry of kind {@code pci} (the ConnectX-3 Pro dump of pciutils' tests, MSI-X in BAR0,
 * the slot array in BAR2). Both storages are allocated and fire from their own threads while the PCI provider
 * and then the platform provider are stopped, started and updated: every raise of every vector is delivered
 * exactly once, the storage not being swapped stays bound throughout, and both are bound again afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class TwoStoragesIT extends MsiTestSupport {

    private static final String DEVICE = "03:00.0";
    private static final String PLATFORM_PROVIDER = "org.msidomain.provider.platform";
    private static final int VECTORS = 4;

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() throws IOException {
        File dump = new File("target/two-storages-cx3.txt");
        Files.copy(new File("../hardware-model/src/test/resources/corpus/public/mellanox-mt27520-connectx3pro.txt")
                .toPath(), dump.toPath(), StandardCopyOption.REPLACE_EXISTING);
        File description = new File("target/two-storages-machine.json");
        Files.writeString(description.toPath(), "{\"cpus\": 4, \"devices\": [{\"kind\": \"pci\", \"name\": \"" + DEVICE
                + "\", \"properties\": {\"dump\": \"" + dump.getName() + "\", \"ims.slots\": 8, \"ims.bar\": 2}}]}");
        return combine(baseConfiguration(), options(
                frameworkProperty("msi.machine.file").value(description.getAbsolutePath())));
    }

    @Test
    public void bothStoragesFireAndASwapOfEitherProviderLosesNothing() throws Exception {
        awaitStorage("pci", BindingState.BOUND);
        awaitStorage("platform", BindingState.BOUND);
        List<DeviceInfo> rows = rows();
        assertEquals("a row per storage, the default first", List.of("pci", "platform"),
                rows.stream().map(DeviceInfo::storageType).toList());
        assertEquals(List.of(PCI_PROVIDER, PLATFORM_PROVIDER), rows.stream().map(DeviceInfo::provider).toList());

        int[] msix = domain.allocate(DEVICE, VECTORS);
        int[] slots = domain.allocate(DEVICE, VECTORS, "platform");
        for (int k = 0; k < VECTORS; k++) {
            assertEquals("pci", domain.storageOf(msix[k]));
            assertEquals("platform", domain.storageOf(slots[k]));
            assertEquals(msix[k], domain.irqOf(DEVICE, "pci", k));
            assertEquals(slots[k], domain.irqOf(DEVICE, "platform", k));
            assertEquals("PCI-MSIX-0000:03:00.0", domain.irq(msix[k]).orElseThrow().chip());
            assertEquals("pMSI-0000:03:00.0", domain.irq(slots[k]).orElseThrow().chip());
            domain.setAffinity(msix[k], k);
            domain.setAffinity(slots[k], (k + 1) % domain.cpuCount());
        }
        assertEquals(List.of(VECTORS, VECTORS), rows().stream().map(DeviceInfo::vectors).toList());

        // per vector: 0..3 the MSI-X entries, 4..7 the slots
        AtomicLongArray fired = new AtomicLongArray(2 * VECTORS);
        AtomicLongArray delivered = new AtomicLongArray(2 * VECTORS);
        for (int k = 0; k < VECTORS; k++) {
            int m = k;
            int s = VECTORS + k;
            domain.setHandler(msix[k], "cx3-msix-" + k, (irq, cpu) -> delivered.incrementAndGet(m));
            domain.setHandler(slots[k], "cx3-ims-" + k, (irq, cpu) -> delivered.incrementAndGet(s));
        }
        long lostBefore = machine.lostMessages();
        long mergedBefore = machine.coalescedMessages();
        HwDevice device = machine.device(DEVICE).orElseThrow();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = List.of(
                firing("fire-msix", stop, failure, fired, 0, k -> device.raise(k)),
                firing("fire-ims", stop, failure, fired, VECTORS, k -> device.raise("platform", k)));
        threads.forEach(Thread::start);
        try {
            swap("pci-provider", PCI_PROVIDER, "pci", "platform", fired);
            swap("platform-provider", PLATFORM_PROVIDER, "platform", "pci", fired);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        assertNull("a firing thread failed: " + failure.get(), failure.get());
        domain.awaitSettled(10_000);
        for (int v = 0; v < 2 * VECTORS; v++) {
            String name = v < VECTORS ? "MSI-X entry " + v : "IMS slot " + (v - VECTORS);
            assertTrue(name + " fired", fired.get(v) > 1000);
            assertEquals(name + ": every raise delivered exactly once", fired.get(v), delivered.get(v));
        }
        assertEquals("none lost", lostBefore, machine.lostMessages());
        assertEquals("none merged", mergedBefore, machine.coalescedMessages());
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            assertEquals("none spurious", 0, domain.spurious(cpu));
        }
        rows = rows();
        assertEquals(List.of(BindingState.BOUND, BindingState.BOUND), rows.stream().map(DeviceInfo::state).toList());
        assertEquals(List.of(PCI_PROVIDER, PLATFORM_PROVIDER), rows.stream().map(DeviceInfo::provider).toList());
        assertEquals(List.of(VECTORS, VECTORS), rows.stream().map(DeviceInfo::vectors).toList());
        System.out.println("two storages: fired " + fired + ", delivered " + delivered
                + " across a stop/start and an update of each provider");
    }

    /** Stops, starts and updates one provider while both storages fire; the other storage stays bound. */
    private void swap(String artifact, String bsn, String swapped, String other, AtomicLongArray fired)
            throws Exception {
        Bundle provider = installed(bsn);
        awaitFiring(fired);
        provider.stop();
        awaitStorage(swapped, BindingState.UNBOUND);
        assertEquals(other + " stays bound while the " + swapped + " provider is away", BindingState.BOUND,
                storage(other).state());
        awaitFiring(fired);
        provider.start();
        awaitStorage(swapped, BindingState.BOUND);
        awaitFiring(fired);
        try (InputStream in = new FileInputStream(providerJar(artifact))) {
            provider.update(in);
        }
        awaitStorage(swapped, BindingState.BOUND);
        awaitFiring(fired);
        assertEquals(BindingState.BOUND, storage(other).state());
    }

    private interface Raise {
        void raise(int index);
    }

    /** A thread raising indices 0..3 round robin, counting each raise at {@code base + index}. */
    private static Thread firing(String name, AtomicBoolean stop, AtomicReference<Throwable> failure,
            AtomicLongArray fired, int base, Raise raise) {
        return new Thread(() -> {
            try {
                for (int n = 0; !stop.get(); n++) {
                    int k = n % VECTORS;
                    raise.raise(k);
                    fired.incrementAndGet(base + k);
                    if ((n & 63) == 63) {
                        Thread.yield(); // two cores: leave room for the binder and SCR
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
    }

    /** Waits, bounded, until every vector has fired at least 200 more times: the step overlapped firing. */
    private static void awaitFiring(AtomicLongArray fired) {
        long[] start = new long[fired.length()];
        for (int v = 0; v < start.length; v++) {
            start[v] = fired.get(v);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int v = 0; v < start.length; v++) {
            while (fired.get(v) < start[v] + 200) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("vector " + v + " stopped firing");
                }
                Thread.onSpinWait();
            }
        }
    }

    private List<DeviceInfo> rows() throws InterruptedException {
        domain.awaitSettled(10_000);
        return domain.devices().stream().filter(d -> d.id().equals(DEVICE)).toList();
    }

    private DeviceInfo storage(String type) throws InterruptedException {
        List<DeviceInfo> rows = rows();
        return rows.stream().filter(d -> d.storageType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no storage " + type + " of " + DEVICE + ": " + rows));
    }

    /** Waits, bounded, until one storage of the device has the binding state (the binder works asynchronously). */
    private DeviceInfo awaitStorage(String type, BindingState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        DeviceInfo info = null;
        while (System.nanoTime() < deadline) {
            info = storage(type); // awaits the domain's settling first
            if (info.state() == state) {
                return info;
            }
            Thread.sleep(10); // a service event not yet dispatched by the framework
        }
        throw new AssertionError(DEVICE + " " + type + " did not become " + state + ": " + info);
    }
}
