package org.msidomain.launcher;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Event Admin stops last, when nothing posts any more and its last deliveries are done. Felix Event Admin
 * 1.6.4 queues every posted event (with or without a handler) on its async pool and closes that pool with
 * {@code shutdownNow}: a delivery under way when it stops is interrupted and logs "Event Task Processing
 * Interrupted". Stopped first, it raced everything still running (the service and bundle events of a
 * command's last {@code start}, the domain's binder); stopped last, every other bundle has stopped, so the
 * only deliveries left are those already queued (the framework's dispatch queue feeding its adapters, and
 * its pool), and it stops once they are done.
 */
final class EventAdminLast {

    static final String EVENT_ADMIN = "org.apache.felix.eventadmin";
    /** Event Admin alone at start level 1 (started first, stopped last), every other bundle at 2. */
    static final int EVENT_ADMIN_LEVEL = 1;
    static final int BUNDLE_LEVEL = 2;
    static final String FELIX_BUNDLE_LEVEL = "felix.startlevel.bundle";
    /** How long its stop waits for the deliveries already queued: they take microseconds each. */
    static final long QUIET_TIMEOUT_MS = 5_000;

    /** The names Event Admin 1.6.4 gives its pool threads; Felix's thread for asynchronous listeners. */
    private static final List<String> EVENT_ADMIN_THREADS = List.of("EventAdminAsyncThread #", "EventAdminThread #");
    private static final String DISPATCH_QUEUE = "FelixDispatchQueue";

    private EventAdminLast() {
    }

    /** Framework properties: bundles installed at level 2, the framework starting up to it. */
    static void configure(Map<String, Object> config) {
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(BUNDLE_LEVEL));
        config.put(FELIX_BUNDLE_LEVEL, String.valueOf(BUNDLE_LEVEL));
    }

    /** Puts Event Admin at level 1 (before it starts) and makes its stop wait for its queued deliveries. */
    static void install(BundleContext context, List<Bundle> installed) {
        for (Bundle b : installed) {
            if (EVENT_ADMIN.equals(b.getSymbolicName())) {
                b.adapt(BundleStartLevel.class).setStartLevel(EVENT_ADMIN_LEVEL);
                context.addBundleListener((SynchronousBundleListener) event -> {
                    if (event.getType() == BundleEvent.STOPPING && event.getBundle().equals(b)) {
                        awaitQuiet(QUIET_TIMEOUT_MS);
                    }
                });
            }
        }
    }

    /**
     * Waits, bounded, until the framework's dispatch queue and Event Admin's pools are idle on two looks in a
     * row (a thread just woken for new work can still show the waiting state once).
     */
    static void awaitQuiet(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int quietLooks = 0;
        while (quietLooks < 2 && System.nanoTime() < deadline) {
            quietLooks = quiet() ? quietLooks + 1 : 0;
            LockSupport.parkNanos(1_000_000);
        }
    }

    static boolean quiet() {
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            String name = t.getKey().getName();
            if (EVENT_ADMIN_THREADS.stream().anyMatch(name::startsWith) && !idleWorker(t.getKey(), t.getValue())) {
                return false;
            }
            if (name.equals(DISPATCH_QUEUE) && !idleDispatcher(t.getKey(), t.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** A pool thread waiting for a task in {@code ThreadPoolExecutor.getTask}, not running one. */
    static boolean idleWorker(Thread thread, StackTraceElement[] stack) {
        return waiting(thread) && Stream.of(stack).anyMatch(f -> f.getMethodName().equals("getTask")
                && f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor"));
    }

    /** Felix's dispatch thread waiting for a request, not calling a listener. */
    static boolean idleDispatcher(Thread thread, StackTraceElement[] stack) {
        return waiting(thread) && Stream.of(stack).noneMatch(f -> f.getMethodName().startsWith("invoke")
                || f.getMethodName().startsWith("fireEventImmediately"));
    }

    private static boolean waiting(Thread thread) {
        Thread.State s = thread.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }
}
