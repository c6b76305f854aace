package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

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
 * Provider faults beyond a RuntimeException, and storage that reports less room than asked: an Error from
 * provider code is contained like any fault (the device failed with the reason, its vectors freeable); the
 * JVM's own failures go on up; a storage is never given more vectors than its info says it holds.
 */
class ProviderFaultTest {

    private FakeMachine machine;
    private Device nic;
    private MsiDomainImpl domain;
    private Ops ops;
    private int freeAtStart;

    @BeforeEach
    void boot() throws InterruptedException {
        machine = new FakeMachine(2);
        nic = machine.add("00:04.0", 8);
        domain = X86Domains.domain(machine);
        ops = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
        freeAtStart = domain.freeTargets();
    }

    @AfterEach
    void stop() {
        domain.deactivate();
    }

    private DeviceInfo nic() {
        return domain.devices().get(0);
    }

    private long writes() {
        return ops.log.stream().filter(l -> l.startsWith("write ")).count();
    }

    @Test
    void anErrorFromWriteMsgWhileAllocatingFailsTheDeviceWithTheReasonAndHoldsNoVector() {
        ops.failWrite = new AssertionError("shadow table out of sync");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> domain.allocate("00:04.0", 2));
        assertEquals("provider fake-1 failed on 00:04.0: AssertionError: shadow table out of sync", refused.getMessage());
        assertEquals(BindingState.FAILED, nic().state());
        assertEquals(refused.getMessage(), nic().reason());
        assertEquals(List.of(), domain.irqs(), "no irq left behind");
        assertEquals(freeAtStart, domain.freeTargets(), "no vector left behind");
    }

    @Test
    void anErrorFromWriteMsgOnALiveVectorFailsTheDeviceAndItsVectorsAreFreeable() {
        int[] irqs = domain.allocate("00:04.0", 2);
        domain.setHandler(irqs[0], "h", (irq, cpu) -> { });
        int cpu = domain.irq(irqs[0]).orElseThrow().cpu();
        ops.failWrite = new NoClassDefFoundError("org/example/provider/Shadow"); // a provider bundle refreshed away
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> domain.setAffinity(irqs[0], 1 - cpu));
        assertTrue(refused.getMessage().endsWith("NoClassDefFoundError: org/example/provider/Shadow"), refused.getMessage());
        assertEquals(BindingState.FAILED, nic().state());

        domain.freeIrq(irqs[1]);
        domain.free("00:04.0");
        assertEquals(List.of(), domain.irqs());
        assertEquals(freeAtStart, domain.freeTargets(), "every vector back, the move's new one too");
    }

    @Test
    void theJvmsOwnFailureIsNotTakenForTheProviders() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        ops.failWrite = oom;
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> domain.allocate("00:04.0", 1)));
    }

    @Test
    void aStorageThatReportsRoomForOneIsNeverGivenTwo() {
        ops.reportedSize = 1; // it accepts the request for 2 but says it holds 1
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> domain.allocate("00:04.0", 2));
        assertEquals("cannot allocate 2 vectors for 00:04.0: its storage FAKE-00:04.0 holds 1", refused.getMessage());
        assertEquals(0, writes(), "nothing written to the storage");
        assertEquals(List.of(), domain.irqs());
        assertEquals(freeAtStart, domain.freeTargets());
        assertEquals(BindingState.BOUND, nic().state(), "a refusal, not a fault");

        int irq = domain.allocateAt("00:04.0", MsiDomainImpl.ANY_INDEX);
        assertThrows(IllegalStateException.class, () -> domain.allocateAt("00:04.0", MsiDomainImpl.ANY_INDEX));
        assertThrows(IllegalArgumentException.class, () -> domain.allocateAt("00:04.0", 1));
        assertEquals(List.of(irq), domain.irqs().stream().map(i -> i.irq()).toList());
        assertFalse(ops.log.stream().anyMatch(l -> l.startsWith("write 00:04.0/1")), "index 1 never written");
    }

    @Test
    void aProviderWhoseStorageHoldsFewerThanTheLiveVectorsDoesNotTakeTheDeviceOver() throws InterruptedException {
        domain.allocate("00:04.0", 3);
        Ops smaller = new Ops(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
        smaller.reportedSize = 2;
        domain.bindStorageOps(smaller, FakeHardware.props(2, 10));
        assertTrue(domain.awaitSettled(5000));
        assertEquals(BindingState.FAILED, nic().state());
        assertEquals("provider fake-2 failed to restore: its storage FAKE-00:04.0 holds 2 vectors, the device needs 3",
                nic().reason());
        assertEquals(0, smaller.log.stream().filter(l -> l.startsWith("write ")).count(), "nothing written through it");
    }
}
