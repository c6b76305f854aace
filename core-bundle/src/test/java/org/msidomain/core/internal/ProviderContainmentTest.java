package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/**
 * Providers that block: each call into a provider has a bounded wait; a call that exceeds it is
 * abandoned, the device marked failed, and the rest of the domain goes on, also when the stuck thread
 * never comes back.
 */
class ProviderContainmentTest {

    private static final long BOUND_MS = 200;

    private FakeMachine machine;
    private Device a;
    private Device b;
    private MsiDomainImpl domain;
    private Ops ops;
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new FakeMachine(4);
        a = machine.add("00:04.0", 4);
        b = machine.add("00:05.0", 4);
        domain = X86Domains.domain(machine, BOUND_MS);
        ops = new Ops(StorageFlag.CAN_MASK);
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
    }

    @AfterEach
    void stop() throws InterruptedException {
        ops.release.countDown();
        caller.shutdownNow();
        assertTrue(caller.awaitTermination(10, TimeUnit.SECONDS), "the stuck caller came back once released");
        domain.deactivate();
    }

    private DeviceInfo info(String id) {
        return domain.devices().stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(5); // polling with a deadline, not a synchronisation
        }
    }

    private int requested(String device) {
        int irq = domain.allocate(device, 1)[0];
        domain.setHandler(irq, device, (i, cpu) -> { });
        return irq;
    }

    @Test
    void aBlockingLockThatGivesUpOnInterruptIsAbandonedAfterTheBound() throws Exception {
        int irqA = requested("00:04.0");
        int irqB = requested("00:05.0");
        ops.blockOn = "00:04.0";
        ops.blockIn = "lock";

        // The provider never returns by itself (release is not counted down): the call comes back only
        // because the watchdog abandons it. The generous deadline only keeps a broken watchdog from hanging
        // the build; the lower bound holds under any load (the watchdog measures from when it saw the call).
        long start = System.nanoTime();
        Future<Boolean> masking = caller.submit(() -> {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> domain.mask(irqA));
            assertEquals("provider fake-1 took longer than 200 ms in lock on 00:04.0; the operation was abandoned",
                    refused.getMessage());
            return Thread.currentThread().isInterrupted();
        });
        boolean interrupted = masking.get(60, TimeUnit.SECONDS);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= BOUND_MS, "abandoned no earlier than the bound, after " + waited + " ms");
        assertEquals(1, ops.release.getCount(), "the provider never returned: the bound ended the wait");
        assertFalse(interrupted, "the watchdog's interrupt does not leak to the caller");

        DeviceInfo failed = info("00:04.0");
        assertEquals(BindingState.FAILED, failed.state());
        assertEquals("provider fake-1 blocked in lock on 00:04.0 for more than 200 ms; the call was abandoned",
                failed.reason());
        a.raise(0);
        assertEquals(1, domain.irq(irqA).orElseThrow().total(), "its registers keep delivering");

        domain.mask(irqB); // the other device of the same provider goes on
        b.raise(0);
        assertEquals(0, domain.irq(irqB).orElseThrow().total());
        domain.unmask(irqB);
        assertEquals(1, domain.irq(irqB).orElseThrow().total(), "latched while masked, delivered once");
    }

    @Test
    void aCallThatIgnoresInterruptsLosesTheControlLockAndTheDomainGoesOn() throws Exception {
        int irqA = requested("00:04.0");
        int irqB = requested("00:05.0");
        int freeBefore = freeVectors();
        ops.interruptible = false;
        ops.blockOn = "00:04.0";
        ops.blockIn = "writeMsg";
        ops.log.clear();

        Future<?> stuck = caller.submit(() -> domain.setAffinity(irqA, 3));
        assertTrue(ops.blocked.await(10, TimeUnit.SECONDS));
        await(() -> info("00:04.0").state() == BindingState.FAILED, "00:04.0 marked failed");
        assertFalse(stuck.isDone(), "the provider still holds its caller");

        domain.setAffinity(irqB, 2); // the control lock was taken over from the stuck thread
        assertEquals(2, domain.irq(irqB).orElseThrow().cpu());
        b.raise(0);
        assertEquals(1L, domain.irq(irqB).orElseThrow().counts().get(2));
        a.raise(0);
        assertEquals(0, domain.irq(irqA).orElseThrow().total(), "the abandoned move had masked it at the source: latched");
        assertTrue(a.pending[0]);
        int oldCpu = domain.irq(irqA).orElseThrow().cpu();
        assertEquals(freeBefore - 1, freeVectors(), "the move's new vector is kept as a stray");

        ops.release.countDown(); // the provider returns at last: its caller must not touch the domain
        ExecutionException late = assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
        assertEquals("provider fake-1 took longer than 200 ms in writeMsg on 00:04.0; the operation was abandoned",
                late.getCause().getMessage());
        assertEquals("lock|mask 00:04.0/0|lock|mask 00:05.0/0|write 00:05.0/0|unmask 00:05.0/0|unlock|write 00:04.0/0",
                String.join("|", ops.log.stream().map(l -> l.replaceAll(" (parent|MsiMsg).*", "")).toList()),
                "the hung write lands late, but the abandoned move made no further call (no unmask, no unlock of 00:04.0)");

        Ops healthy = new Ops(StorageFlag.CAN_MASK);
        domain.bindStorageOps(healthy, FakeHardware.props(2, 10));
        assertTrue(domain.awaitSettled(5000));
        assertEquals(BindingState.BOUND, info("00:04.0").state(), "a healthy provider recovers the device");
        assertEquals(1L, domain.irq(irqA).orElseThrow().counts().get(oldCpu), "restore unmasked it: the latched one, once");
        assertEquals(freeBefore, freeVectors(), "the stray was released at restore");
        domain.setAffinity(irqA, 1);
        a.raise(0);
        assertEquals(1L, domain.irq(irqA).orElseThrow().counts().get(1));
    }

    /** Free device vectors over all CPUs, as the vector domain counts them. */
    private int freeVectors() {
        return domain.freeTargets();
    }

    @Test
    void aBinderThreadStrandedInAProviderIsReplacedAndLaterBindingsAreServed() throws Exception {
        int irqA = requested("00:04.0");
        Ops hanging = new Ops(StorageFlag.CAN_MASK);
        hanging.interruptible = false;
        hanging.blockOn = "00:04.0";
        hanging.blockIn = "createStorage";
        domain.bindStorageOps(hanging, FakeHardware.props(2, 5)); // outranks: restores 00:04.0 through it
        assertTrue(hanging.blocked.await(10, TimeUnit.SECONDS));
        await(() -> info("00:04.0").state() == BindingState.FAILED, "00:04.0 marked failed");
        assertTrue(info("00:04.0").reason().contains("blocked in createStorage"), info("00:04.0").reason());

        Ops healthy = new Ops(StorageFlag.CAN_MASK);
        domain.bindStorageOps(healthy, FakeHardware.props(3, 10));
        assertTrue(domain.awaitSettled(5000), "a new binder serves the events queued behind the stuck one");
        assertEquals(BindingState.BOUND, info("00:04.0").state());
        assertEquals("fake-3", info("00:04.0").provider());
        domain.mask(irqA);
        a.raise(0);
        domain.unmask(irqA);
        assertEquals(1, domain.irq(irqA).orElseThrow().total());
        hanging.release.countDown();
    }

    @Test
    void anAbandonedTwoStepMoveGivesTheOldCpuItsInterruptsBack() throws Exception {
        Ops plain = new Ops(); // cannot mask: affinity changes take Linux's two steps
        Device timer = machine.add("00:07.0", 1);
        machine.add("00:08.0", 1);
        MsiDomainImpl d2 = X86Domains.domain(machine, BOUND_MS);
        try {
            d2.bindStorageOps(plain, FakeHardware.props(7, 0));
            assertTrue(d2.awaitSettled(5000));
            int first = d2.allocate("00:08.0", 1)[0];
            int irq = d2.allocate("00:07.0", 1)[0];
            d2.setHandler(irq, "t", (i, cpu) -> { });
            int oldCpu = d2.irq(irq).orElseThrow().cpu();
            // to the CPU whose lowest free vector is not the irq's: a new vector, so two steps
            int newCpu = d2.irq(first).orElseThrow().cpu();
            assertTrue(newCpu != oldCpu);
            plain.interruptible = false;
            plain.blockOn = "00:07.0";
            plain.blockIn = "writeMsg"; // the first write of the move: data with the new vector
            Future<?> stuck = caller.submit(() -> d2.setAffinity(irq, newCpu));
            assertTrue(plain.blocked.await(10, TimeUnit.SECONDS));
            assertTrue(machine.apics[oldCpu].disabled, "the move runs with the old CPU's interrupts off");
            await(() -> !machine.apics[oldCpu].disabled, "the watchdog's repair enables them again");
            timer.raise(0);
            assertEquals(1L, d2.irq(irq).orElseThrow().counts().get(oldCpu), "the old message still arrives");
            plain.release.countDown();
            assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
        } finally {
            plain.release.countDown();
            d2.deactivate();
        }
    }
}
