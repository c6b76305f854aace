package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingListener;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/**
 * The domain tells its binding listeners of every change of a device's binding: each device once when
 * the listener comes, then every bind, unbind, provider change and failure, in order, on the binder
 * thread, and a look at the domain from the call sees the change.
 */
class BindingListenerTest {

    /** A call as the listener saw it: what it was told, what the domain showed then, on which thread. */
    private record Call(DeviceInfo told, BindingState shown, String thread) {
    }

    private FakeMachine machine;
    private MsiDomainImpl domain;
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final BindingListener listener = device -> calls.add(new Call(device, domain.devices().stream()
            .filter(d -> d.id().equals(device.id())).findFirst().orElseThrow().state(), Thread.currentThread().getName()));

    @BeforeEach
    void boot() {
        machine = new FakeMachine(2);
        machine.add("00:04.0", 4);
        machine.add("00:05.0", 4);
        domain = X86Domains.domain(machine);
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    private Call next() throws InterruptedException {
        Call c = calls.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no call within 10 s");
        return c;
    }

    private void assertNext(String device, BindingState state, String provider) throws InterruptedException {
        Call c = next();
        assertEquals(List.of(device, state, provider), List.of(c.told().id(), c.told().state(), c.told().provider()));
        assertEquals(state, c.shown(), "the domain shows the change to the listener it tells");
        assertEquals("msi-binder", c.thread());
    }

    private void assertQuiet() throws InterruptedException {
        assertTrue(domain.awaitSettled(10_000));
        assertNull(calls.poll(), "no call without a change");
    }

    @Test
    void aListenerHearsEveryDeviceWhenItComesThenEveryChangeInOrder() throws InterruptedException {
        domain.bindBindingListener(listener);
        assertNext("00:04.0", BindingState.UNBOUND, "");
        assertNext("00:05.0", BindingState.UNBOUND, "");
        assertQuiet();

        domain.bindStorageOps(new Ops(StorageFlag.CAN_MASK), FakeHardware.props(1, 0));
        assertNext("00:04.0", BindingState.BOUND, "fake-1");
        assertNext("00:05.0", BindingState.BOUND, "fake-1");

        Ops better = new Ops(StorageFlag.CAN_MASK);
        domain.bindStorageOps(better, FakeHardware.props(2, 10));
        assertNext("00:04.0", BindingState.BOUND, "fake-2");
        assertNext("00:05.0", BindingState.BOUND, "fake-2");

        domain.allocate("00:04.0", 1);
        assertQuiet(); // vectors are not a binding change

        better.faultyMaskOn = "00:04.0";
        assertThrows(IllegalStateException.class, () -> domain.mask(domain.irqOf("00:04.0", 0)));
        assertNext("00:04.0", BindingState.FAILED, "fake-2");

        domain.unbindStorageOps(better, FakeHardware.props(2, 10));
        assertNext("00:04.0", BindingState.BOUND, "fake-1");
        assertNext("00:05.0", BindingState.BOUND, "fake-1");

        domain.unbindStorageOps(null, FakeHardware.props(1, 0));
        assertNext("00:04.0", BindingState.UNBOUND, "");
        assertNext("00:05.0", BindingState.UNBOUND, "");
        assertQuiet();
    }

    @Test
    void aListenerThatComesLateHearsTheStateAsOfThenAndOneThatLeftHearsNothing() throws InterruptedException {
        domain.bindStorageOps(new Ops(StorageFlag.CAN_MASK), FakeHardware.props(1, 0));
        domain.bindBindingListener(listener);
        assertNext("00:04.0", BindingState.BOUND, "fake-1");
        assertNext("00:05.0", BindingState.BOUND, "fake-1");
        assertQuiet();

        domain.unbindBindingListener(listener);
        domain.unbindStorageOps(null, FakeHardware.props(1, 0));
        assertQuiet();
    }
}
