package org.msidomain.testkit.internal;

import java.io.File;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.msidomain.api.BindingState;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiEvents;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * The checks of the kit, each measuring one contract of a storage provider against the running platform and
 * returning its table row. One instance per framework (the kit's bundle is installed fresh for each run).
 */
public final class Checks {

    /** Vectors per device the firing checks use at most (bounds the run, not the capacity check). */
    static final int FIRING_VECTORS = 16;
    /** Affinity changes in affinity-under-fire. */
    static final int AFFINITY_CHANGES = 200;
    /** Rounds over its vectors each device fires per affinity change. */
    static final int ROUNDS = 4;
    /** Events each device fires between two hot-swap steps, at least. */
    static final int EVENTS_PER_STEP = 30;
    /** Install, uninstall and refresh cycles of the leak check. */
    static final int LEAK_CYCLES = 3;

    private static volatile Checks instance;
    /** Why the platform did not come up, once: every later check fails at once with it. */
    private static volatile AssertionError broken;

    final BundleContext context;
    final MsiDomain domain;
    final Machine machine;
    final Subject subject;
    final Report report;
    final Bindings bindings;
    private final Ack ack;
    /** The storage infos of the devices, once learned (through the wrapper). */
    private Map<String, StorageInfo> infos;

    private Checks(BundleContext context, MsiDomain domain, Machine machine, Ack ack) {
        this.context = context;
        this.domain = domain;
        this.machine = machine;
        this.ack = ack;
        this.subject = new Subject(context, domain);
        this.bindings = new Bindings(context, domain);
        Bundle p = subject.provider();
        String header = "conformance: storage " + subject.storage + ", provider "
                + (p == null ? "(none found among " + subject.subjects + ")" : p.getSymbolicName() + " " + p.getVersion())
                + ", devices " + String.join(" ", subject.devices);
        this.report = new Report(header, Path.of(subject.report));
    }

    /** The kit's checks for this framework, created at the first use. */
    public static synchronized Checks get(BundleContext context, Ack ack) throws InterruptedException {
        if (broken != null) {
            throw broken;
        }
        if (instance == null) {
            try {
                instance = new Checks(context, service(context, MsiDomain.class), service(context, Machine.class), ack);
            } catch (AssertionError e) {
                broken = e;
                throw e;
            }
        }
        return instance;
    }

    /** A platform service, waited for (bounded). */
    static <T> T service(BundleContext context, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ServiceReference<T> ref = context.getServiceReference(type);
            if (ref != null) {
                T s = context.getService(ref);
                if (s != null) {
                    return s;
                }
            }
            Thread.sleep(10); // the platform's components are still activating
        }
        throw new AssertionError("no " + type.getSimpleName() + " service after 30 s (the platform did not start: see"
                + " the framework's errors above)");
    }

    public Report report() {
        return report;
    }

    /** Acknowledges a delivery at the device (the kit's hook, called from the handler). */
    public interface Ack {
        void acknowledge(HwDevice device, String storage, int index);
    }

    /** A check body: returns its row, throws AssertionError to fail. */
    public interface Body {
        CheckRow run() throws Exception;
    }

    /**
     * Runs a check: the provider active and every device bound to it first, every vector freed after. A
     * failure becomes a FAIL row and is rethrown.
     */
    /** Runs a check by its table name. */
    public CheckRow run(String check) {
        Body body = switch (check) {
            case "binding" -> this::binding;
            case "capacity" -> this::capacity;
            case "delivery" -> this::delivery;
            case "mask" -> this::mask;
            case "affinity-under-fire" -> this::affinityUnderFire;
            case "bus-lock" -> this::busLock;
            case "hot-swap" -> this::hotSwap;
            case "leaks" -> this::leaks;
            case "decline" -> this::decline;
            default -> throw new IllegalArgumentException("no check " + check + "; the checks: " + Report.CHECKS);
        };
        return run(check, body);
    }

    CheckRow run(String check, Body body) {
        CheckRow row;
        long start = System.nanoTime();
        try {
            if (subject.devices.isEmpty()) {
                throw new AssertionError("no device of storage type " + subject.storage + " in the machine");
            }
            Bundle p = subject.provider();
            if (p == null && subject.location() != null) {
                p = context.installBundle(subject.location()); // an earlier check failed with it uninstalled
                subject.provider(p);
            }
            if (p == null) {
                throw new AssertionError("no bundle under test " + subject.subjects + " serves storage type " + subject.storage);
            }
            if (p.getState() != Bundle.ACTIVE) {
                p.start();
            }
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, p.getSymbolicName());
            freeAll();
            row = body.run();
        } catch (Throwable e) {
            row = new CheckRow(check, CheckRow.FAIL, String.valueOf(e.getMessage()).replace('\n', ' '));
            if (!(e instanceof AssertionError)) {
                row = new CheckRow(check, CheckRow.FAIL, e.toString().replace('\n', ' '));
                e.printStackTrace();
            }
        } finally {
            try {
                freeAll();
            } catch (RuntimeException e) {
                System.err.println("msi-testkit: free after " + check + ": " + e);
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        row = new CheckRow(row.check(), row.result(), row.measured() + " (" + ms + " ms)");
        report.add(row);
        return row;
    }

    private void freeAll() {
        for (String d : subject.devices) {
            if (domain.devices().stream().anyMatch(i -> i.id().equals(d) && i.vectors() > 0)) {
                domain.free(d);
            }
        }
    }

    private HwDevice hw(String id) {
        return machine.device(id).orElseThrow(() -> new AssertionError("no device " + id + " in the machine"));
    }

    private static CheckRow pass(String check, String measured) {
        return new CheckRow(check, CheckRow.PASS, measured);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private Vectors requestAll(int max) {
        Vectors vectors = new Vectors(domain, subject.storage);
        for (String d : subject.devices) {
            vectors.request(hw(d), Math.min(max, capacity(hw(d))), ack);
        }
        return vectors;
    }

    /**
     * The capacity of the storage under test on a device. {@code MsiDomain.maxVectors} answers for the device's
     * default storage only, so a secondary storage (IMS beside MSI-X) is asked of the provider under test.
     */
    private int capacity(HwDevice hw) {
        if (Vectors.isDefault(hw, subject.storage)) {
            return domain.maxVectors(hw.id());
        }
        Bundle p = subject.provider();
        try {
            for (ServiceReference<MsiStorageOps> ref : context.getServiceReferences(MsiStorageOps.class,
                    "(" + MsiStorageOps.STORAGE_TYPE + "=" + subject.storage + ")")) {
                if (ref.getBundle() != null && ref.getBundle().equals(p)) {
                    MsiStorageOps ops = context.getService(ref);
                    try {
                        return ops.maxVectors(hw);
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        throw new AssertionError("no MsiStorageOps of type " + subject.storage + " registered by " + p);
    }

    // ---------------------------------------------------------------------------------------------- binding

    public CheckRow binding() throws Exception {
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        long bound = bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
        p.stop();
        long unbound = bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
        p.start();
        long rebound = bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
        return pass("binding", subject.devices.size() + " devices BOUND to " + bsn + " (" + bound
                + " ms); stop -> UNBOUND in " + unbound + " ms; start -> BOUND in " + rebound + " ms");
    }

    // --------------------------------------------------------------------------------------------- capacity

    public CheckRow capacity() throws Exception {
        Vectors vectors = new Vectors(domain, subject.storage);
        List<String> caps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> moreKinds = new java.util.TreeSet<>();
        for (String d : subject.devices) {
            HwDevice hw = hw(d);
            int max = capacity(hw);
            require(max >= 1, d + ": maxVectors " + max);
            List<IrqInfo> before = domain.irqs();
            try {
                domain.allocate(d, max + 1, Vectors.isDefault(hw, subject.storage) ? "" : subject.storage);
                throw new AssertionError(d + ": " + (max + 1) + " vectors allocated beyond maxVectors " + max);
            } catch (IllegalArgumentException expected) {
                // refused cleanly
            }
            require(domain.irqs().equals(before), d + ": refusing " + (max + 1) + " vectors changed the domain");
            int[] irqs = vectors.allocate(hw, max);
            Map<Integer, String> refused = new java.util.TreeMap<>(vectors.refused);
            require(irqs.length + refused.size() == max, d + ": allocated " + irqs.length + " of " + max
                    + (refused.isEmpty() ? "" : ", refused " + refused));
            Set<Integer> indices = new java.util.TreeSet<>();
            for (int irq : irqs) {
                indices.add(domain.irq(irq).orElseThrow().index());
            }
            require(indices.size() == irqs.length, d + ": " + irqs.length + " vectors on " + indices.size() + " indices");
            if (!refused.isEmpty()) {
                notes.add(d + " indices " + refused.keySet() + " refused (" + refused.values().iterator().next() + ")");
            }
            List<IrqInfo> full = domain.irqs();
            String more = "not asked: MsiDomain.allocateAt takes the default storage";
            if (Vectors.isDefault(hw, subject.storage)) {
                try {
                    int extra = domain.allocateAt(d, MsiDomain.ANY_INDEX);
                    throw new AssertionError(d + ": a vector beyond maxVectors " + max + " allocated (irq " + extra + ")");
                } catch (IllegalArgumentException | IllegalStateException expected) {
                    more = expected.getClass().getSimpleName();
                }
            }
            require(domain.irqs().equals(full), d + ": refusing one more vector changed the domain");
            domain.free(d);
            caps.add(d + "=" + max + (refused.isEmpty() ? "" : " (" + irqs.length + " usable)"));
            moreKinds.add(more);
        }
        return pass("capacity", "maxVectors " + String.join(", ", caps) + " allocated; max+1 refused with "
                + "IllegalArgumentException, one more at ANY_INDEX with " + String.join("/", moreKinds) + ", domain unchanged" + (notes.isEmpty() ? "" : "; " + String.join("; ", notes)));
    }

    // --------------------------------------------------------------------------------------------- delivery

    public CheckRow delivery() throws Exception {
        Vectors vectors = requestAll(Integer.MAX_VALUE);
        int cpus = domain.cpuCount();
        int events = 0;
        for (Vector v : vectors.all) {
            long before = vectors.delivered(v);
            vectors.raise(v);
            require(vectors.awaitDelivered(v, before + 1), v.device() + "/" + v.index() + ": raised, not delivered");
            int cpu = domain.irq(v.irq()).orElseThrow().cpu();
            require(vectors.lastCpu(v) == cpu, v.device() + "/" + v.index() + ": delivered on CPU" + vectors.lastCpu(v)
                    + ", its affinity is CPU" + cpu);
            events++;
            for (int c = 0; c < cpus; c++) {
                domain.setAffinity(v.irq(), c);
                IrqInfo info = domain.irq(v.irq()).orElseThrow();
                require(info.cpu() == c, v.device() + "/" + v.index() + ": steered to CPU" + c + ", IrqInfo.cpu " + info.cpu());
                long n = vectors.delivered(v);
                long onCpu = info.counts().get(c);
                vectors.raise(v);
                require(vectors.awaitDelivered(v, n + 1), v.device() + "/" + v.index() + " on CPU" + c + ": not delivered");
                require(vectors.lastCpu(v) == c, v.device() + "/" + v.index() + ": steered to CPU" + c
                        + ", delivered on CPU" + vectors.lastCpu(v));
                require(domain.irq(v.irq()).orElseThrow().counts().get(c) == onCpu + 1,
                        v.device() + "/" + v.index() + ": /proc/interrupts count of CPU" + c + " not +1");
                events++;
            }
            // back where the domain put it: left on the last CPU, a storage of a few hundred vectors (IMS) would
            // fill that CPU's vector space before every vector had its turn
            domain.setAffinity(v.irq(), cpu);
        }
        require(vectors.totalDelivered() == vectors.totalFired(), "fired " + vectors.totalFired() + ", delivered "
                + vectors.totalDelivered());
        return pass("delivery", vectors.all.size() + " vectors, " + events + " events on " + cpus
                + " CPUs: each on its affinity CPU (handler cpu == IrqInfo.cpu), once");
    }

    // ------------------------------------------------------------------------------------------------- mask

    /** The storage infos of the devices as the provider creates them for the firing checks' allocation. */
    private Map<String, StorageInfo> infos() throws Exception {
        if (infos == null) {
            Map<String, StorageInfo> learned = new LinkedHashMap<>();
            withSpy(spy -> {
                Vectors v = requestAll(FIRING_VECTORS);
                learned.putAll(spy.infos);
                freeAll();
                require(v.all.size() > 0, "no vectors");
            });
            for (String d : subject.devices) {
                require(learned.containsKey(d), d + ": the provider created no storage");
            }
            infos = learned;
        }
        return infos;
    }

    interface SpyBody {
        void run(SpyOps spy) throws Exception;
    }

    /** Runs with the wrapper bound above the provider; the provider serves the devices again after. */
    private void withSpy(SpyBody body) throws Exception {
        Bundle p = subject.provider();
        ServiceReference<MsiStorageOps> ref = opsOf(p);
        MsiStorageOps ops = context.getService(ref);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, subject.storage);
        props.put(Constants.SERVICE_RANKING, Integer.MAX_VALUE);
        ServiceRegistration<MsiStorageOps> reg = context.registerService(MsiStorageOps.class, new SpyOps(ops), props);
        try {
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, context.getBundle().getSymbolicName());
            body.run((SpyOps) context.getService(reg.getReference()));
        } finally {
            context.ungetService(reg.getReference());
            freeAll();
            reg.unregister();
            context.ungetService(ref);
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, p.getSymbolicName());
        }
    }

    private ServiceReference<MsiStorageOps> opsOf(Bundle p) throws Exception {
        for (ServiceReference<MsiStorageOps> ref : context.getServiceReferences(MsiStorageOps.class, null)) {
            if (ref.getBundle() != null && ref.getBundle().getBundleId() == p.getBundleId()) {
                Object types = ref.getProperty(MsiStorageOps.STORAGE_TYPE);
                if (subject.storage.equals(types) || (types instanceof String[] a && List.of(a).contains(subject.storage))) {
                    return ref;
                }
            }
        }
        throw new AssertionError(p.getSymbolicName() + " registers no MsiStorageOps of type " + subject.storage);
    }

    public CheckRow mask() throws Exception {
        Map<String, StorageInfo> flags = infos();
        Vectors vectors = requestAll(FIRING_VECTORS);
        int latched = 0;
        int lossy = 0;
        long lostBefore = machine.lostMessages();
        for (Vector v : vectors.all) {
            boolean isLossy = flags.get(v.device()).has(StorageFlag.LOSSY_MASK);
            long before = vectors.delivered(v);
            domain.mask(v.irq());
            vectors.raise(v);
            vectors.raise(v);
            domain.awaitSettled(10_000);
            require(vectors.delivered(v) == before, v.device() + "/" + v.index() + ": delivered while masked ("
                    + (vectors.delivered(v) - before) + ")");
            domain.unmask(v.irq());
            long expected = isLossy ? 0 : 1;
            if (expected == 1) {
                long lostNow = machine.lostMessages() - lostBefore;
                require(lostNow == 0 && vectors.awaitDelivered(v, before + 1) || vectors.delivered(v) > before,
                        v.device() + "/" + v.index() + ": 2 events raised while masked, none delivered on unmask"
                        + (lostNow > 0 ? " (the machine lost " + lostNow + " messages)" : ""));
            }
            domain.awaitSettled(10_000);
            require(vectors.delivered(v) - before == expected, v.device() + "/" + v.index() + ": 2 events raised while masked, "
                    + (vectors.delivered(v) - before) + " delivered on unmask, expected " + expected
                    + (isLossy ? " (LOSSY_MASK)" : ""));
            long after = vectors.delivered(v);
            vectors.raise(v);
            require(vectors.awaitDelivered(v, after + 1), v.device() + "/" + v.index() + ": not delivered after unmask");
            if (isLossy) {
                lossy++;
            } else {
                latched++;
            }
        }
        return pass("mask", vectors.all.size() + " vectors, 2 events each while masked: none delivered while masked; "
                + (latched > 0 ? latched + " delivered once on unmask" : "") + (latched > 0 && lossy > 0 ? ", " : "")
                + (lossy > 0 ? lossy + " lost as declared (LOSSY_MASK)" : "") + "; each delivered after unmask"
                + "; flags " + flagSummary(flags));
    }

    private static String flagSummary(Map<String, StorageInfo> flags) {
        return flags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().flags().stream().map(Enum::name)
                .sorted().collect(Collectors.joining("+"))).collect(Collectors.joining(" "));
    }

    // ---------------------------------------------------------------------------------- affinity-under-fire

    public CheckRow affinityUnderFire() throws Exception {
        Vectors vectors = requestAll(FIRING_VECTORS);
        long lost = machine.lostMessages();
        long coalesced = machine.coalescedMessages();
        long spurious = Vectors.spurious(domain);
        int changes = 0;
        int cpus = domain.cpuCount();
        // lock-step: in each phase the main thread changes one affinity while every device fires its vectors
        // ROUNDS times, so the run is bounded by counts and every change overlaps firing
        java.util.concurrent.Phaser phaser = new java.util.concurrent.Phaser(1 + subject.devices.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (String d : subject.devices) {
            List<Vector> mine = vectors.of(d);
            Thread t = new Thread(() -> {
                try {
                    for (int phase = 0; phase < AFFINITY_CHANGES; phase++) {
                        for (int r = 0; r < ROUNDS; r++) {
                            for (Vector v : mine) {
                                vectors.raise(v);
                            }
                        }
                        phaser.arriveAndAwaitAdvance();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                    phaser.arriveAndDeregister();
                }
            }, "msi-testkit-fire-" + d);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            for (int i = 0; i < AFFINITY_CHANGES; i++) {
                Vector v = vectors.all.get(i % vectors.all.size());
                domain.setAffinity(v.irq(), (i / vectors.all.size() + v.slot() + 1) % cpus);
                changes++;
                phaser.awaitAdvanceInterruptibly(phaser.arrive(), 60, TimeUnit.SECONDS);
            }
        } finally {
            phaser.forceTermination();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a firing thread failed: " + failure.get(), failure.get());
        }
        domain.awaitSettled(10_000);
        // An event raised while a move has the vector masked (at the source, or in the old CPU's IRR for a
        // storage moved in Linux's two steps) merges with one already pending, as edge interrupts do in
        // hardware: the machine counts it as coalesced, and the handler still runs after the last of them.
        // So: nothing lost, nothing spurious, nothing twice, and delivered + merged = fired.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vectors.totalDelivered() + (machine.coalescedMessages() - coalesced) < vectors.totalFired()
                && System.nanoTime() < deadline) {
            Thread.sleep(1); // a retriggered event still on its way
        }
        long merged = machine.coalescedMessages() - coalesced;
        String counts = "lost " + (machine.lostMessages() - lost) + ", merged " + merged + ", spurious "
                + (Vectors.spurious(domain) - spurious);
        require(machine.lostMessages() == lost, "lost messages: " + counts);
        require(Vectors.spurious(domain) == spurious, "spurious messages: " + counts);
        for (Vector v : vectors.all) {
            require(vectors.delivered(v) <= vectors.fired(v), v.device() + "/" + v.index() + ": fired "
                    + vectors.fired(v) + ", delivered " + vectors.delivered(v) + " (twice)");
        }
        require(vectors.totalDelivered() + merged == vectors.totalFired(), "fired " + vectors.totalFired()
                + ", delivered " + vectors.totalDelivered() + " (" + counts + "): delivered + merged != fired");
        return pass("affinity-under-fire", changes + " affinity changes while " + subject.devices.size()
                + " threads fired " + vectors.totalFired() + ": delivered " + vectors.totalDelivered() + ", " + counts
                + " (merged: raised while the move masked the vector, one delivery after; delivered + merged = fired)");
    }

    private void checkExactlyOnce(Vectors vectors, String counts) throws InterruptedException {
        for (Vector v : vectors.all) {
            vectors.awaitDelivered(v, vectors.fired(v));
            require(vectors.fired(v) == vectors.delivered(v), v.device() + "/" + v.index() + ": fired "
                    + vectors.fired(v) + ", delivered " + vectors.delivered(v) + " (machine: " + counts + ")");
        }
    }

    /** One firing thread per device, raising its vectors in turn until stopped. */
    private final class Firing {
        private final Vectors vectors;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();

        Firing(Vectors vectors) {
            this.vectors = vectors;
        }

        void start() {
            for (String d : subject.devices) {
                List<Vector> mine = vectors.of(d);
                Thread t = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            for (Vector v : mine) {
                                vectors.raise(v);
                            }
                            Thread.yield(); // leave the swapping thread its share of 2 cores
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "msi-testkit-fire-" + d);
                threads.add(t);
                t.start();
            }
        }

        /** Waits until every device fired each of its vectors {@code events} more times (bounded). */
        void awaitEach(int events) throws InterruptedException {
            Map<Vector, Long> from = new HashMap<>();
            for (Vector v : vectors.all) {
                from.put(v, vectors.fired(v));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Vector v : vectors.all) {
                while (vectors.fired(v) < from.get(v) + events) {
                    if (failure.get() != null) {
                        throw new AssertionError("a firing thread failed: " + failure.get(), failure.get());
                    }
                    require(System.nanoTime() < deadline, v.device() + " stopped firing");
                    Thread.sleep(1);
                }
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (failure.get() != null) {
                throw new AssertionError("a firing thread failed: " + failure.get(), failure.get());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- bus-lock

    public CheckRow busLock() throws Exception {
        Map<String, StorageInfo> flags = infos();
        List<String> locked = subject.devices.stream().filter(d -> flags.get(d).has(StorageFlag.BUS_LOCK)).toList();
        if (locked.isEmpty()) {
            return new CheckRow("bus-lock", CheckRow.NOT_APPLICABLE, "no storage declares BUS_LOCK (flags " + flagSummary(flags) + ")");
        }
        int cpus = domain.cpuCount();
        if (cpus < 2) {
            return new CheckRow("bus-lock", CheckRow.NOT_APPLICABLE, "one CPU: an affinity change cannot move a message");
        }
        AtomicInteger checked = new AtomicInteger();
        withSpy(spy -> {
            Vectors vectors = new Vectors(domain, subject.storage);
            for (String d : locked) {
                vectors.request(hw(d), FIRING_VECTORS, ack);
            }
            for (Vector v : vectors.all) {
                domain.setAffinity(v.irq(), 0);
                IrqInfo old = domain.irq(v.irq()).orElseThrow();
                int target = 1 + (v.slot() % (cpus - 1));
                AtomicReference<String> seen = new AtomicReference<>("unlock not reached");
                long before = vectors.delivered(v);
                spy.arm(v.device(), v.index(), (device, index) -> {
                    // the new message is recorded, not pushed: an event now must go by the old one
                    vectors.raise(v);
                    seen.set(vectors.delivered(v) > before ? "delivered on CPU" + vectors.lastCpu(v) : "held");
                });
                try {
                    domain.setAffinity(v.irq(), target);
                } finally {
                    spy.disarm();
                }
                domain.awaitSettled(10_000);
                require(vectors.awaitDelivered(v, before + 1), v.device() + "/" + v.index()
                        + ": event raised before unlock never delivered (" + seen.get() + ")");
                IrqInfo now = domain.irq(v.irq()).orElseThrow();
                require(now.counts().get(target).equals(old.counts().get(target)), v.device() + "/" + v.index()
                        + ": event raised before unlock delivered on the new CPU" + target
                        + ": the message reached the device before unlock (" + seen.get() + ")");
                require(now.counts().get(0) == old.counts().get(0) + 1, v.device() + "/" + v.index()
                        + ": event raised before unlock not delivered once on the old CPU0 (" + seen.get() + ")");
                require(now.cpu() == target, v.device() + "/" + v.index() + ": not steered to CPU" + target + " after unlock");
                long after = vectors.delivered(v);
                vectors.raise(v);
                require(vectors.awaitDelivered(v, after + 1) && vectors.lastCpu(v) == target,
                        v.device() + "/" + v.index() + ": after unlock not delivered on CPU" + target);
                checked.incrementAndGet();
            }
        });
        return pass("bus-lock", checked + " vectors of " + locked + ": an event raised in unlock() before the push "
                + "was delivered on the old CPU (old message), the next on the new CPU");
    }

    // ---------------------------------------------------------------------------------------------- hot-swap

    public CheckRow hotSwap() throws Exception {
        Vectors vectors = requestAll(FIRING_VECTORS);
        long lost = machine.lostMessages();
        long coalesced = machine.coalescedMessages();
        long spurious = Vectors.spurious(domain);
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        Firing firing = new Firing(vectors);
        long t0 = System.nanoTime();
        try {
            firing.start();
            firing.awaitEach(EVENTS_PER_STEP);
            p.stop();
            bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
            firing.awaitEach(EVENTS_PER_STEP);
            p.start();
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
            firing.awaitEach(EVENTS_PER_STEP);
            p.update();
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
            firing.awaitEach(EVENTS_PER_STEP);
            String location = p.getLocation();
            p.uninstall();
            bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
            firing.awaitEach(EVENTS_PER_STEP);
            Bundle again = context.installBundle(location);
            again.start();
            subject.provider(again);
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
            firing.awaitEach(EVENTS_PER_STEP);
        } finally {
            firing.stop();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        domain.awaitSettled(10_000);
        String counts = "lost " + (machine.lostMessages() - lost) + ", coalesced "
                + (machine.coalescedMessages() - coalesced) + ", spurious " + (Vectors.spurious(domain) - spurious);
        require(machine.lostMessages() == lost, "fired " + vectors.totalFired() + ", delivered "
                + vectors.totalDelivered() + " (machine: " + counts + ")");
        checkExactlyOnce(vectors, counts);
        require(machine.coalescedMessages() == coalesced, "coalesced " + coalesced + " -> " + machine.coalescedMessages());
        require(Vectors.spurious(domain) == spurious, "spurious " + spurious + " -> " + Vectors.spurious(domain));
        return pass("hot-swap", "stop/start, update, uninstall/install in " + ms + " ms while " + vectors.all.size()
                + " vectors fired " + vectors.totalFired() + ": delivered " + vectors.totalDelivered()
                + " (none lost, none twice)");
    }

    // ------------------------------------------------------------------------------------------------- leaks

    public CheckRow leaks() throws Exception {
        Vectors vectors = requestAll(1);
        int irqsBefore = domain.irqs().size();
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        String location = p.getLocation();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        loaders.add(new WeakReference<>(p.adapt(BundleWiring.class).getClassLoader()));
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        uninstallAndRefresh(p);
        bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
        long events = 0;
        for (int cycle = 0; cycle < LEAK_CYCLES; cycle++) {
            Bundle b = context.installBundle(location);
            b.start();
            subject.provider(b);
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
            loaders.add(new WeakReference<>(b.adapt(BundleWiring.class).getClassLoader()));
            if (cycle == 1) {
                b.update();
                bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
                loaders.add(new WeakReference<>(b.adapt(BundleWiring.class).getClassLoader()));
            }
            for (Vector v : vectors.all) {
                long n = vectors.delivered(v);
                vectors.raise(v);
                require(vectors.awaitDelivered(v, n + 1), v.device() + "/" + v.index() + ": not delivered in cycle " + cycle);
                events++;
            }
            if (cycle < LEAK_CYCLES - 1) {
                uninstallAndRefresh(b);
                bindings.awaitAll(subject.devices, subject.storage, BindingState.UNBOUND, null);
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
        return pass("leaks", LEAK_CYCLES + " uninstall+refresh cycles (1 update): " + loaders.size()
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

    // ----------------------------------------------------------------------------------------------- decline

    public CheckRow decline() throws Exception {
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        String kit = context.getBundle().getSymbolicName();
        String reason = "the conformance kit's decoy declines every device";
        Map<String, String> declined = new java.util.concurrent.ConcurrentHashMap<>();
        Dictionary<String, Object> topic = new Hashtable<>();
        topic.put(EventConstants.EVENT_TOPIC, MsiEvents.DEVICE_DECLINED);
        ServiceRegistration<EventHandler> listener = context.registerService(EventHandler.class, (Event e) -> {
            if (kit.equals(e.getProperty(MsiEvents.PROVIDER))) {
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
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(MsiStorageOps.STORAGE_TYPE, subject.storage);
        props.put(Constants.SERVICE_RANKING, Integer.MAX_VALUE);
        try {
            ServiceRegistration<MsiStorageOps> reg = context.registerService(MsiStorageOps.class, decoy, props);
            try {
                domain.awaitSettled(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!declined.keySet().containsAll(subject.devices) && System.nanoTime() < deadline) {
                    Thread.sleep(5); // Event Admin delivers asynchronously
                }
                require(declined.keySet().containsAll(subject.devices), "DECLINED events by the decoy for "
                        + declined.keySet() + ", not all of " + subject.devices);
                bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
                // the devices can still be used through the provider under test
                Vectors vectors = requestAll(1);
                for (Vector v : vectors.all) {
                    vectors.raise(v);
                    require(vectors.awaitDelivered(v, 1), v.device() + ": not delivered while the decoy is present");
                }
                freeAll();
            } finally {
                reg.unregister();
            }
            bindings.awaitAll(subject.devices, subject.storage, BindingState.BOUND, bsn);
        } finally {
            listener.unregister();
        }
        return pass("decline", "decoy (ranking MAX) asked " + asked + " times, DECLINED events for " + declined.size()
                + "/" + subject.devices.size() + " devices; all stayed BOUND to " + bsn
                + " and delivered; decoy left, still BOUND");
    }
}
