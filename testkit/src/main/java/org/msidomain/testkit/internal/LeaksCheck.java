package org.msidomain.testkit.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * leaks: uninstalled and refreshed instances of the provider leave no thread and no reachable class loader,
 * and the domain keeps its irqs.
 */
final class LeaksCheck extends Check {

    /** Install, uninstall and refresh cycles of the leak check. */
    static final int LEAK_CYCLES = 3;

    LeaksCheck(Kit kit) {
        super("leaks", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Vectors vectors = kit.requestAll(1);
        int irqsBefore = domain.irqs().size();
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        String location = p.getLocation();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        loaders.add(new WeakReference<>(p.adapt(BundleWiring.class).getClassLoader()));
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        uninstallAndRefresh(p);
        kit.awaitUnbound();
        long events = 0;
        for (int cycle = 0; cycle < LEAK_CYCLES; cycle++) {
            Bundle b = context.installBundle(location);
            b.start();
            subject.provider(b);
            kit.awaitBound(bsn);
            loaders.add(new WeakReference<>(b.adapt(BundleWiring.class).getClassLoader()));
            if (cycle == 1) {
                b.update();
                kit.awaitBound(bsn);
                loaders.add(new WeakReference<>(b.adapt(BundleWiring.class).getClassLoader()));
            }
            for (Vector v : vectors.all) {
                require(vectors.raiseOnce(v), v.where() + ": not delivered in cycle " + cycle);
                events++;
            }
            if (cycle < LEAK_CYCLES - 1) {
                uninstallAndRefresh(b);
                kit.awaitUnbound();
            }
        }
        // the last instance stays: every loader but the live one must go, and no thread may run their code
        WeakReference<ClassLoader> live = loaders.remove(loaders.size() - 1);
        List<String> left = new ArrayList<>();
        long threadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            left.clear();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && !threadsBefore.contains(t) && runsCodeOf(t, loaders)) {
                    left.add(t.getName());
                }
            }
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(20); // a thread of an uninstalled instance may be finishing
        } while (System.nanoTime() < threadDeadline);
        require(left.isEmpty(), "threads of uninstalled " + bsn + " instances left behind: " + left);
        int gcs = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loaders.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            gcs++;
            Thread.sleep(20); // a bounded GC loop: reference processing runs on its own thread
        }
        long alive = loaders.stream().filter(r -> r.get() != null).count();
        if (alive > 0) {
            // a thread whose Runnable is the provider's keeps its loader: name the threads that are new
            List<String> newThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !threadsBefore.contains(t)).map(Thread::getName).sorted().toList();
            throw new AssertionError(alive + " of " + loaders.size() + " class loaders of uninstalled " + bsn
                    + " instances still reachable after " + gcs + " GCs (threads started since: " + newThreads + ")");
        }
        require(live.get() != null, "the live provider's class loader");
        require(domain.irqs().size() == irqsBefore, "irqs " + irqsBefore + " -> " + domain.irqs().size());
        return pass(LEAK_CYCLES + " uninstall+refresh cycles (1 update): " + loaders.size()
                + " class loaders collected after " + gcs + " GCs, 0 threads left, irqs " + irqsBefore + " -> "
                + domain.irqs().size() + ", " + events + " events delivered");
    }

    /** Whether a thread's class or context class loader is one of the (uninstalled) instances' loaders. */
    private static boolean runsCodeOf(Thread t, List<WeakReference<ClassLoader>> loaders) {
        ClassLoader ccl = t.getContextClassLoader();
        ClassLoader own = t.getClass().getClassLoader();
        for (WeakReference<ClassLoader> r : loaders) {
            ClassLoader l = r.get();
            if (l != null && (l == ccl || l == own)) {
                return true;
            }
        }
        return false;
    }

    private void uninstallAndRefresh(Bundle b) throws Exception {
        b.uninstall();
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        require(refreshed.await(30, TimeUnit.SECONDS), "refresh after uninstalling " + b.getSymbolicName() + " did not finish");
    }
}
