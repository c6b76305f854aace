package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * 100 cycles of install, start, update (every third cycle), uninstall and refresh of the PCI provider
 * while the domain has live vectors: afterwards every old provider class loader is collectable (the core
 * keeps nothing of the provider's), no thread was left behind, and no vector was leaked.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class LeakIT extends MsiTestSupport {

    private static final int CYCLES = 100;

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return baseConfiguration(false);
    }

    @Test
    public void hundredCyclesLeaveNoClassLoaderThreadOrVector() throws Exception {
        Bundle first = install();
        awaitState("00:04.0", BindingState.BOUND);
        int[] irqs = domain.allocate("00:04.0", 4);
        AtomicLong handled = new AtomicLong();
        for (int irq : irqs) {
            domain.setHandler(irq, "leak", (n, cpu) -> handled.incrementAndGet());
        }
        int irqCount = domain.irqs().size();
        uninstallAndRefresh(first);
        Set<String> threadsBefore = threadNames();

        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Bundle provider = install();
            awaitState("00:04.0", BindingState.BOUND);
            if (cycle % 3 == 1) {
                loaders.add(new WeakReference<>(provider.adapt(BundleWiring.class).getClassLoader()));
                try (InputStream in = new FileInputStream(providerJar("pci-provider"))) {
                    provider.update(in);
                }
                awaitState("00:04.0", BindingState.BOUND);
            }
            loaders.add(new WeakReference<>(provider.adapt(BundleWiring.class).getClassLoader()));
            machine.device("00:04.0").get().raise(cycle % 4);
            uninstallAndRefresh(provider);
            awaitState("00:04.0", BindingState.UNBOUND);
        }
        assertEquals("an interrupt per cycle delivered", CYCLES, handled.get());
        assertEquals("no vector leaked or lost", irqCount, domain.irqs().size());
        for (int irq : irqs) {
            assertTrue(domain.irq(irq).isPresent());
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (loaders.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50); // give the collector a moment; bounded by the deadline
        }
        long alive = loaders.stream().filter(r -> r.get() != null).count();
        assertEquals("old provider class loaders still reachable, of " + loaders.size(), 0, alive);
        Set<String> added = threadNames();
        added.removeAll(threadsBefore);
        assertTrue("threads left behind: " + added, added.isEmpty());
        System.out.println(CYCLES + " cycles: " + loaders.size() + " provider class loaders collected, "
                + threadsBefore.size() + " threads before and " + threadNames().size() + " after, "
                + domain.irqs().size() + " irqs kept");
    }

    private Bundle install() throws Exception {
        return installProvider("pci-provider", "leak:pci-provider");
    }

    private void uninstallAndRefresh(Bundle b) throws Exception {
        b.uninstall();
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("refresh finished", refreshed.await(30, TimeUnit.SECONDS));
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
