package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;
import org.msidomain.spi.StorageFlag;

/** A device with two storages (a default one and a secondary, IMS-like one), each served on its own. */
class MultiStorageTest {

    private FakeMachine machine;
    private Device dev;
    private MsiDomainImpl domain;
    private Ops pci;
    private Ops ims;

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new FakeMachine(2);
        machine.add("00:04.0", 8);
        dev = machine.add("00:06.0", 8, List.of("fake", "ims"));
        domain = X86Domains.domain(machine);
        pci = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        ims = new Ops().ofType("ims");
        domain.bindStorageOps(pci, FakeHardware.props(1, 0));
        domain.bindStorageOps(ims, FakeHardware.props(2, 0, "ims"));
        assertTrue(domain.awaitSettled(10_000));
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    @Test
    void aRowPerStorageTheDefaultFirstAndAllocationNamesTheStorage() {
        assertEquals(List.of(new DeviceInfo("00:04.0", "fake", BindingState.BOUND, "fake-1", 0, ""),
                new DeviceInfo("00:06.0", "fake", BindingState.BOUND, "fake-1", 0, ""),
                new DeviceInfo("00:06.0", "ims", BindingState.BOUND, "ims-2", 0, "")), domain.devices());

        int[] onIms = domain.allocate("00:06.0", 2, "ims");
        int[] onDefault = domain.allocate("00:06.0", 3);
        assertEquals(onIms[1], domain.irqOf("00:06.0", "ims", 1));
        assertEquals(onDefault[1], domain.irqOf("00:06.0", 1));
        assertEquals(onDefault[2], domain.irqOf("00:06.0", "fake", 2));
        assertEquals("device 00:06.0 has no storage msix (it has fake, ims)", assertThrows(
                IllegalArgumentException.class, () -> domain.irqOf("00:06.0", "msix", 0)).getMessage());
        assertEquals(List.of(3, 2), domain.devices().subList(1, 3).stream().map(DeviceInfo::vectors).toList());
        assertTrue(ims.log.contains("create 00:06.0") && pci.log.contains("create 00:06.0"));
        assertNotEquals(MsiMsg.ZERO, dev.bank("ims")[1], "the IMS provider wrote its own bank");

        // both providers name their chip FAKE-00:06.0: the secondary storage is told apart by its type
        assertEquals("FAKE-00:06.0", domain.irq(onDefault[0]).orElseThrow().chip());
        assertEquals("IMS-MSI-0000:00:06.0", domain.irq(onIms[0]).orElseThrow().chip());

        domain.free("00:06.0"); // the driver's teardown: every storage
        assertEquals(List.of(0, 0), domain.devices().subList(1, 3).stream().map(DeviceInfo::vectors).toList());
    }

    @Test
    void aSecondaryStorageIsSizedAndGrownThroughItsOwnProvider() throws Exception {
        Ops slots = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC).ofType("ims").capacity(5);
        domain.bindStorageOps(slots, FakeHardware.props(3, 5, "ims")); // ranked above the first ims provider
        assertTrue(domain.awaitSettled(10_000));

        assertEquals(8, domain.maxVectors("00:06.0"), "the default storage: its provider's answer");
        assertEquals(5, domain.maxVectors("00:06.0", "ims"), "the secondary storage: the ims provider's answer");
        int first = domain.allocateAt("00:06.0", "ims", MsiDomain.ANY_INDEX);
        int third = domain.allocateAt("00:06.0", "ims", 3);
        assertEquals(first, domain.irqOf("00:06.0", "ims", 0));
        assertEquals(third, domain.irqOf("00:06.0", "ims", 3));
        assertEquals("ims", domain.storageOf(third));
        assertEquals(List.of(0, 2), domain.devices().subList(1, 3).stream().map(DeviceInfo::vectors).toList(),
                "nothing allocated on the default storage");
        assertNotEquals(MsiMsg.ZERO, dev.bank("ims")[3], "index 3 of the ims bank written");
        assertEquals("device 00:06.0 has no storage msix (it has fake, ims)", assertThrows(
                IllegalArgumentException.class, () -> domain.maxVectors("00:06.0", "msix")).getMessage());
        assertEquals("device 00:06.0 has no storage msix (it has fake, ims)", assertThrows(
                IllegalArgumentException.class, () -> domain.allocateAt("00:06.0", "msix", 0)).getMessage());
    }

    @Test
    void swappingTheProviderOfOneStorageWhileBothFireLosesNothingOnEither() throws Exception {
        int[] onIms = domain.allocate("00:06.0", 1, "ims");
        int[] onDefault = domain.allocate("00:06.0", 1);
        AtomicLong imsHandled = new AtomicLong();
        AtomicLong pciHandled = new AtomicLong();
        domain.setHandler(onIms[0], "ims", (i, cpu) -> imsHandled.incrementAndGet());
        domain.setHandler(onDefault[0], "pci", (i, cpu) -> pciHandled.incrementAndGet());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong raised = new AtomicLong();
        CountDownLatch firing = new CountDownLatch(500);
        Thread driver = new Thread(() -> {
            while (!stop.get()) {
                dev.raise("ims", 0);
                dev.raise(0);
                raised.incrementAndGet();
                firing.countDown();
            }
        }, "firing");
        driver.start();
        assertTrue(firing.await(30, TimeUnit.SECONDS));
        for (int round = 0; round < 5; round++) {
            Ops better = new Ops().ofType("ims");
            domain.bindStorageOps(better, FakeHardware.props(10 + round, 10, "ims")); // takes over and restores
            assertTrue(domain.awaitSettled(10_000));
            assertEquals("ims-" + (10 + round), domain.devices().get(2).provider());
            assertTrue(better.log.contains("create 00:06.0"), "restored through the new provider");
            domain.unbindStorageOps(better, FakeHardware.props(10 + round, 10, "ims")); // back to the first
            assertTrue(domain.awaitSettled(10_000));
            assertEquals("ims-2", domain.devices().get(2).provider());
            assertEquals("fake-1", domain.devices().get(1).provider(), "the default storage was not touched");
        }
        stop.set(true);
        driver.join(30_000);
        assertFalse(driver.isAlive());
        assertEquals(raised.get(), imsHandled.get(), "nothing lost on the swapped storage");
        assertEquals(raised.get(), pciHandled.get(), "nothing lost on the other storage");
    }
}
