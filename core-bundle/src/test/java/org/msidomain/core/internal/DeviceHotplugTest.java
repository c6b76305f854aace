package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiEvents;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/** Devices that join the running machine (their kind arrives) and leave it as a surprise removal. */
class DeviceHotplugTest {

    private FakeMachine machine;
    private Device nic;
    private MsiDomainImpl domain;
    private Ops ops;
    private final RecordedEvents events = new RecordedEvents();

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new FakeMachine(2);
        nic = machine.add("00:04.0", 8);
        machine.await("00:07.0", "nvme-fake");
        domain = X86Domains.domain(machine);
        domain.bindEventAdmin(events);
        ops = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(10_000));
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    @Test
    void aDescribedDeviceWaitsForItsKindThenIsBoundAndFires() throws InterruptedException {
        DeviceInfo waiting = domain.devices().get(1);
        assertEquals(new DeviceInfo("00:07.0", "", BindingState.WAITING, "", 0,
                "no bundle provides device kind 'nvme-fake'"), waiting, "listed after the live devices");
        assertTrue(domain.unboundSince("00:07.0").isPresent(), "a waiting device is not served");
        assertThrows(IllegalArgumentException.class, () -> domain.allocate("00:07.0", 1));
        List<DeviceInfo> told = new CopyOnWriteArrayList<>();
        domain.bindBindingListener(told::add);
        assertTrue(domain.awaitSettled(10_000)); // the listener is added; its first call is queued meanwhile
        assertTrue(domain.awaitSettled(10_000)); // and it has had it
        assertEquals(1, told.size(), "told of the live device at once");
        told.clear();

        Device nvme = machine.plug("00:07.0", 4, List.of("fake"));
        assertTrue(domain.awaitSettled(10_000));

        assertEquals(List.of(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-1", 0, ""),
                new DeviceInfo("00:07.0", "fake", BindingState.BOUND, "fake-1", 0, "")), domain.devices());
        assertTrue(domain.unboundSince("00:07.0").isEmpty());
        assertEquals(1, events.of(MsiEvents.DEVICE_ADDED).size());
        assertEquals("00:07.0", events.of(MsiEvents.DEVICE_ADDED).get(0).getProperty(MsiEvents.DEVICE));
        assertTrue(domain.awaitSettled(10_000)); // the listener's calls are queued behind the event
        assertEquals(List.of(new DeviceInfo("00:07.0", "fake", BindingState.BOUND, "fake-1", 0, "")), told,
                "binding listeners hear of the new device");

        int irq = domain.allocate("00:07.0", 2)[1];
        AtomicLong handled = new AtomicLong();
        domain.setHandler(irq, "nvme", (i, cpu) -> handled.incrementAndGet());
        nvme.raise(1);
        assertEquals(1, handled.get());
    }

    @Test
    void aSurpriseRemovalFreesEveryVectorAndItsHandlerIsNeverCalledAgainWhileOthersLoseNothing() throws Exception {
        int nicIrq = domain.allocate("00:04.0", 1)[0];
        AtomicLong nicHandled = new AtomicLong();
        domain.setHandler(nicIrq, "nic", (i, cpu) -> nicHandled.incrementAndGet());
        int freeBefore = domain.freeTargets();

        Device nvme = machine.plug("00:07.0", 4, List.of("fake"));
        assertTrue(domain.awaitSettled(10_000));
        int[] irqs = domain.allocate("00:07.0", 3);
        AtomicBoolean removalReturned = new AtomicBoolean();
        AtomicLong lateCalls = new AtomicLong();
        AtomicLong nvmeHandled = new AtomicLong();
        for (int irq : irqs) {
            domain.setHandler(irq, "nvme", (i, cpu) -> {
                nvmeHandled.incrementAndGet();
                if (removalReturned.get()) {
                    lateCalls.incrementAndGet();
                }
            });
        }
        IrqInfo old = domain.irq(irqs[0]).orElseThrow();
        MsiMsg oldMsg = nvme.msgs[0];
        assertTrue(freeBefore - 3 == domain.freeTargets());

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch firing = new CountDownLatch(1000);
        AtomicLong nicRaised = new AtomicLong();
        Thread driver = new Thread(() -> {
            while (!stop.get()) {
                nvme.raise(0);
                nvme.raise(2);
                nic.raise(0);
                nicRaised.incrementAndGet();
                firing.countDown();
            }
        }, "firing");
        driver.start();
        assertTrue(firing.await(30, TimeUnit.SECONDS));

        machine.unplug(nvme, "nvme-fake");
        removalReturned.set(true);
        assertTrue(domain.awaitSettled(10_000));
        // a message of the gone device still on its way (or forged) finds no interrupt
        long spurious = domain.spurious(old.cpu());
        machine.injectMessage(oldMsg.address(), oldMsg.data(), null);
        assertEquals(spurious + 1, domain.spurious(old.cpu()), "its vector is free: the message is spurious");
        long raisedNow = nicRaised.get();
        while (nicRaised.get() < raisedNow + 1000) {
            Thread.onSpinWait(); // the other device keeps firing after the removal
        }
        stop.set(true);
        driver.join(30_000);
        assertFalse(driver.isAlive());

        assertEquals(0, lateCalls.get(), "no handler of the removed device ran after the removal returned");
        assertTrue(nvmeHandled.get() > 0);
        assertEquals(nicRaised.get(), nicHandled.get(), "the other device lost nothing");
        assertEquals(freeBefore, domain.freeTargets(), "every vector is back in the vector domain");
        for (int irq : irqs) {
            assertTrue(domain.irq(irq).isEmpty(), "irq " + irq + " is released");
            assertEquals("no irq " + irq, assertThrows(IllegalArgumentException.class,
                    () -> domain.setHandler(irq, "again", (i, cpu) -> { })).getMessage());
        }
        assertEquals("unknown device 00:07.0", assertThrows(IllegalArgumentException.class,
                () -> domain.irqOf("00:07.0", 0)).getMessage());
        assertEquals(1, events.of(MsiEvents.DEVICE_REMOVED).size());
        assertEquals(3, events.of(MsiEvents.DEVICE_REMOVED).get(0).getProperty(MsiEvents.VECTORS));
        assertTrue(ops.log.contains("release 00:07.0"), "the provider released its storage");
        assertEquals(BindingState.WAITING, domain.devices().get(1).state(), "listed as waiting again");
        assertEquals(List.of(nicIrq), domain.irqs().stream().map(IrqInfo::irq).toList());

        // the freed numbers and vectors serve the device when it comes back
        machine.plug("00:07.0", 4, List.of("fake"));
        assertTrue(domain.awaitSettled(10_000));
        assertEquals(3, domain.allocate("00:07.0", 3).length);
    }

    @Test
    void aProviderThatThrowsWhileReleasingTheStorageOfARemovedDeviceChangesNothing() throws InterruptedException {
        Device nvme = machine.plug("00:07.0", 4, List.of("fake"));
        assertTrue(domain.awaitSettled(10_000));
        int freeBefore = domain.freeTargets();
        for (int irq : domain.allocate("00:07.0", 2)) {
            domain.setHandler(irq, "nvme", (i, cpu) -> { }); // out of reservation mode: real vectors
        }
        assertEquals(freeBefore - 2, domain.freeTargets());
        ops.releaseThrows = new IllegalStateException("device gone");

        machine.unplug(nvme, "nvme-fake");
        assertTrue(domain.awaitSettled(10_000));

        assertEquals(freeBefore, domain.freeTargets());
        assertEquals(List.of(BindingState.BOUND, BindingState.WAITING),
                domain.devices().stream().map(DeviceInfo::state).toList());
        assertEquals("active", domain.providers().get(0).state());
        assertEquals(1, domain.allocate("00:04.0", 1).length, "the domain goes on");
    }

    @Test
    void whileItsRemovalWaitsForTheBinderTheDeviceIsAlreadyGoneForCallers() throws InterruptedException {
        Device nvme = machine.plug("00:07.0", 4, List.of("fake"));
        assertTrue(domain.awaitSettled(10_000));
        int irq = domain.allocate("00:07.0", 1)[0];
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        domain.bindBindingListener(d -> { // keeps the binder thread busy: the removal queues behind it
            inListener.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(inListener.await(10, TimeUnit.SECONDS));
        try {
            machine.unplug(nvme, "nvme-fake");
            assertTrue(domain.unboundSince("00:07.0").isPresent(), "not served since it left");
            assertEquals("unknown device 00:07.0", assertThrows(IllegalArgumentException.class,
                    () -> domain.allocate("00:07.0", 1)).getMessage());
            assertEquals("no irq " + irq, assertThrows(IllegalArgumentException.class, () -> domain.mask(irq))
                    .getMessage());
            assertEquals("no irq " + irq, assertThrows(IllegalArgumentException.class,
                    () -> domain.setHandler(irq, "late", (i, cpu) -> { })).getMessage());
        } finally {
            release.countDown();
        }
        assertTrue(domain.awaitSettled(10_000));
        assertTrue(domain.irq(irq).isEmpty());
        assertEquals(1, events.of(MsiEvents.DEVICE_REMOVED).size());
    }
}
