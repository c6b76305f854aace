package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingListener;
import org.msidomain.core.internal.FakeHardware.FakeMachine;

/**
 * A domain deactivated while events are queued (the framework stopping) drops them: whoever awaits the
 * domain's settling behind them is answered at once, not at the end of its timeout. Before, the dropped
 * task's future stayed pending and every waiter (jobs, commands, health checks) sat out its full timeout
 * while the framework stopped.
 */
class DeactivationTest {

    private static final long WAIT_MS = 60_000;

    @Test
    void awaitSettledBehindADroppedEventReturnsAtDeactivation() throws Exception {
        FakeMachine machine = new FakeMachine(1);
        machine.add("00:04.0", 1);
        MsiDomainImpl domain = X86Domains.domain(machine);
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BindingListener busy = device -> {
            inListener.countDown();
            boolean interrupted = false;
            while (release.getCount() > 0) { // holds the binder thread until told, interrupt or not
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        };
        domain.bindBindingListener(busy); // told of 00:04.0 on the binder thread: it stays there
        assertTrue(inListener.await(10, TimeUnit.SECONDS), "the listener was told");
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> settled = CompletableFuture.supplyAsync(() -> {
            try {
                waiting.countDown();
                return domain.awaitSettled(WAIT_MS); // queued behind the busy listener
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        // the waiter's task must be queued before the deactivation: the queue holds it once submit returned
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!hasQueued(domain) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(hasQueued(domain), "awaitSettled queued its task");
        domain.deactivate();
        try {
            // far less than WAIT_MS: before the fix this waited the whole minute
            assertFalse(settled.get(WAIT_MS / 4, TimeUnit.MILLISECONDS), "not settled: the domain went away");
        } finally {
            release.countDown();
        }
    }

    private static boolean hasQueued(MsiDomainImpl domain) {
        return domain.queuedEvents() > 0;
    }
}
