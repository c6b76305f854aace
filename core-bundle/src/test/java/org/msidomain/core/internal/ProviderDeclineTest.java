package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiEvents;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.osgi.service.event.Event;

/** A provider may decline a device; the device goes to the next provider of its type by ranking. */
class ProviderDeclineTest {

    private FakeMachine machine;
    private Device nic;
    private MsiDomainImpl domain;
    private final RecordedEvents events = new RecordedEvents();

    @BeforeEach
    void boot() {
        machine = new FakeMachine(2);
        nic = machine.add("00:04.0", 8);
        machine.add("00:05.0", 8);
        domain = X86Domains.domain(machine);
        domain.bindEventAdmin(events);
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    private static Ops declining(String reason) {
        Ops ops = new Ops();
        ops.declineWith = reason;
        return ops;
    }

    private DeviceInfo row(int n) throws InterruptedException {
        assertTrue(domain.awaitSettled(10_000));
        return domain.devices().get(n);
    }

    @Test
    void aDeclineLeavesTheDeviceToTheNextByRankingAndIsAskedAgainOnEveryChoice() throws InterruptedException {
        Ops a = declining("no IMS slots");
        Ops b = new Ops();
        domain.bindStorageOps(a, FakeHardware.props(1, 10));
        domain.bindStorageOps(b, FakeHardware.props(2, 5));
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-2", 0, "fake-1 declined: no IMS slots"),
                row(0));
        List<Event> declined = events.of(MsiEvents.DEVICE_DECLINED);
        assertEquals(List.of("fake-1", "fake-1"), declined.stream().map(e -> e.getProperty(MsiEvents.PROVIDER)).toList(),
                "one event per device it declined");
        assertEquals("no IMS slots", declined.get(0).getProperty(MsiEvents.REASON));
        int irq = domain.allocate("00:04.0", 1)[0];
        assertTrue(b.log.contains("create 00:04.0"));

        domain.unbindStorageOps(a, FakeHardware.props(1, 10)); // the decliner leaves: its decline is forgotten
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-2", 1, ""), row(0));

        Ops again = declining("still no IMS slots");
        domain.bindStorageOps(again, FakeHardware.props(3, 10)); // it comes back, asked again, declines again
        assertEquals("fake-3 declined: still no IMS slots", row(0).reason());
        assertEquals("fake-2", row(0).provider());
        assertEquals(2, again.declineCalls.get(), "asked once per device");

        Ops willing = new Ops();
        domain.bindStorageOps(willing, FakeHardware.props(4, 20)); // outranks and serves: the storage moves, restored
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-4", 1, ""), row(0));
        assertTrue(willing.log.stream().anyMatch(l -> l.startsWith("write 00:04.0/0")), "irq " + irq + " restored");

        domain.unbindStorageOps(willing, FakeHardware.props(4, 20)); // offered to fake-3 first: declined again
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-2", 1,
                "fake-3 declined: still no IMS slots"), row(0));
    }

    @Test
    void whenEveryProviderDeclinesTheDeviceIsUnboundWithTheirReasons() throws InterruptedException {
        domain.bindStorageOps(declining("no IMS slots"), FakeHardware.props(1, 10));
        domain.bindStorageOps(declining("not behind this bridge"), FakeHardware.props(2, 5));
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.UNBOUND, "", 0,
                "declined by fake-1: no IMS slots; declined by fake-2: not behind this bridge"), row(0));
        assertTrue(domain.unboundSince("00:04.0").isPresent());
        assertEquals(4, events.of(MsiEvents.DEVICE_DECLINED).size(), "two providers, two devices");
    }

    @Test
    void aDeclineThatThrowsIsThatProviderFailingOnThatDeviceAndTheNextServesIt() throws InterruptedException {
        Ops faulty = new Ops();
        faulty.declineThrows = new NullPointerException("bug in decline");
        Ops b = new Ops();
        domain.bindStorageOps(faulty, FakeHardware.props(1, 10));
        domain.bindStorageOps(b, FakeHardware.props(2, 5));
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-2", 0,
                "fake-1 declined: failed in decline: NullPointerException: bug in decline"), row(0));
        assertEquals(BindingState.BOUND, row(1).state(), "the other device too");
        assertEquals("fake-1", events.of(MsiEvents.DEVICE_FAILED).get(0).getProperty(MsiEvents.PROVIDER));
        int irq = domain.allocate("00:04.0", 1)[0];
        long[] handled = new long[1];
        domain.setHandler(irq, "nic", (i, cpu) -> handled[0]++);
        nic.raise(0);
        assertEquals(1, handled[0], "the device works through the provider that took it");
    }

    @Test
    void aDeclineThatHangsIsAbandonedLikeAnyProviderCallAndTheDomainGoesOn() throws InterruptedException {
        domain.deactivate();
        domain = X86Domains.domain(machine, 200);
        Ops hanging = new Ops();
        hanging.blockIn = "decline";
        hanging.blockOn = "00:04.0";
        hanging.blockTimes = 1;
        domain.bindStorageOps(hanging, FakeHardware.props(1, 10));
        assertTrue(hanging.blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
        DeviceInfo failed = row(0); // settles once the watchdog gave up on the call and replaced the binder
        assertEquals(BindingState.FAILED, failed.state());
        assertEquals("provider fake-1 blocked in decline on 00:04.0 for more than 200 ms; the call was abandoned",
                failed.reason());

        domain.bindStorageOps(new Ops(), FakeHardware.props(2, 5)); // a binding event: every device is chosen for again
        assertEquals(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-1", 0, ""), row(0),
                "asked again, the first provider serves it now");
        assertEquals(BindingState.BOUND, row(1).state());
    }
}
