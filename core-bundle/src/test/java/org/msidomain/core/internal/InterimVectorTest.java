package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.core.internal.FakeHardware.Device;
import org.msidomain.core.internal.FakeHardware.FakeMachine;
import org.msidomain.core.internal.FakeHardware.Ops;

/**
 * The interim vector of a non-maskable move (x86 {@code msi_set_affinity}): the new vector is the lowest free one
 * on the target CPU ({@code irq_matrix_alloc}), whatever the old CPU holds under that number; if another irq owns
 * it there, the interim slot is left to it (only an unused slot is marked VECTOR_RETRIGGERED), a message of the
 * moving irq in the window is retriggered on the new CPU and also reaches the owner's handler once (a spurious
 * interrupt for it, Linux's "unhandled"), and nothing is lost. Messages are the SDM's (0xFEE00000 | APIC id << 12,
 * data = vector); CPUs and vectors follow the matrix rules (most free vectors, lowest CPU on a tie, lowest vector).
 */
class InterimVectorTest {

    private FakeMachine machine;
    private MsiDomainImpl domain;
    private Ops ops;
    private Device ahci;
    private Device other;
    /** Handled per (irq, CPU). */
    private final AtomicLongArray handled = new AtomicLongArray(64 * 4);

    @AfterEach
    void stop() {
        if (domain != null) {
            domain.deactivate();
        }
    }

    private static MsiMsg sdm(int apicId, int vector) {
        return new MsiMsg(0xFEE0_0000 | apicId << 12, 0, vector);
    }

    private long on(int irq, int cpu) {
        return handled.get(irq * 4 + cpu);
    }

    private long total(int irq) {
        return on(irq, 0) + on(irq, 1) + on(irq, 2) + on(irq, 3);
    }

    private int started(int irq) {
        domain.setHandler(irq, "h", (i, cpu) -> handled.incrementAndGet(i * 4 + cpu));
        return irq;
    }

    /**
     * Non-maskable storage throughout: the moving irq on (CPU 0, 0x20), another irq on (CPU 0, 0x21), and CPU 2
     * with 0x20 taken, so the move to CPU 2 takes 0x21, which CPU 0 gives to the other irq.
     */
    private int[] boot() throws InterruptedException {
        machine = new FakeMachine(4);
        ahci = machine.add("00:1f.2", 1);
        other = machine.add("00:05.0", 1);
        Device third = machine.add("00:06.0", 1);
        domain = X86Domains.domain(machine);
        ops = new Ops(); // no CAN_MASK
        domain.bindStorageOps(ops, FakeHardware.props(1, 0));
        assertTrue(domain.awaitSettled(5000));
        int mover = started(domain.allocate("00:1f.2", 1)[0]); // CPU 0 (all empty: the lowest), 0x20
        int owner = started(domain.allocate("00:05.0", 1)[0]); // CPU 1, 0x20
        domain.setAffinity(owner, 0); // CPU 0's lowest free: 0x21
        assertEquals(sdm(0, 0x21), other.msgs[0]);
        int thirds = domain.allocate("00:06.0", 1)[0]; // CPU 1 (emptiest, lowest), 0x20
        domain.setAffinity(thirds, 2); // the same vector free there: one write
        assertEquals(sdm(2, 0x20), third.msgs[0]);
        return new int[] { mover, owner };
    }

    @Test
    void aMoveWhoseNewVectorIsBusyOnTheOldCpuTakesItAndTheOwnerGetsTheWindowsMessageAsSpurious() throws Exception {
        int[] irqs = boot();
        int mover = irqs[0];
        int owner = irqs[1];
        // before the interim write the device still sends (CPU 0, 0x20); before the final one (CPU 0, 0x21), twice
        ops.beforeWrite.add(() -> ahci.raise(0));
        ops.beforeWrite.add(() -> {
            assertEquals(sdm(0, 0x21), ahci.msgs[0], "the interim message: old CPU, new vector");
            ahci.raise(0);
            ahci.raise(0);
        });
        domain.setAffinity(mover, 2);

        assertEquals(sdm(2, 0x21), ahci.msgs[0], "moved to CPU 2's lowest free vector, 0x21, though CPU 0 uses it");
        assertEquals(2, domain.irq(mover).orElseThrow().cpu());
        assertEquals(0x21, domain.irq(mover).orElseThrow().vector());
        assertEquals(1, on(mover, 0), "the message on the old vector, delivered on the old CPU when it enables");
        assertEquals(1, on(mover, 2), "the interim messages retriggered once on the new CPU");
        assertEquals(1, domain.merged(mover), "the second interim message merged in the IRR: the mover's");
        assertEquals(3, total(mover) + domain.merged(mover) - domain.unhandled(mover), "3 raised, none lost");
        assertEquals(0, domain.unhandled(mover));
        assertEquals(1, on(owner, 0), "the IRR bit the owner's slot kept reached its handler on CPU 0");
        assertEquals(1, domain.unhandled(owner), "counted as a spurious (unhandled) delivery for the owner");
        assertEquals(0, domain.merged(owner));
        assertEquals(0, total(owner) + domain.merged(owner) - domain.unhandled(owner), "the owner raised nothing");
        assertEquals(Long.valueOf(1), domain.irq(owner).orElseThrow().counts().get(0),
                "shown in the owner's count on CPU 0, as /proc/interrupts shows it");
        assertEquals(0, domain.spurious(0) + domain.spurious(2), "no message without an owner");
        assertTrue(machine.apics[0].irr.isEmpty());

        ahci.raise(0);
        other.raise(0);
        assertEquals(2, on(mover, 2), "then on the new CPU");
        assertEquals(2, on(owner, 0), "the owner keeps its vector");
    }

    @Test
    void whenTheOwnersOwnMessageWaitsThereTheMoversResendIsTheSpuriousOne() throws Exception {
        int[] irqs = boot();
        int mover = irqs[0];
        int owner = irqs[1];
        // the owner's message came while CPU 0 had interrupts off (the move runs so): it waits in the IRR
        machine.apics[0].disableInterrupts();
        other.raise(0);
        domain.setAffinity(mover, 2);

        assertEquals(0x21, domain.irq(mover).orElseThrow().vector());
        assertEquals(1, on(mover, 2), "the set IRR bit is resent to the mover: it raised nothing");
        assertEquals(1, domain.unhandled(mover));
        assertEquals(0, total(mover) + domain.merged(mover) - domain.unhandled(mover));
        assertEquals(1, on(owner, 0), "the owner's own message, delivered when CPU 0 enables");
        assertEquals(0, domain.unhandled(owner));
        assertEquals(1, total(owner) + domain.merged(owner) - domain.unhandled(owner));
    }

    /**
     * The owner's message sets the bit in the window and the mover's merges with it: each handler gets one call
     * and it is its own event. The two devices carry no requester id and send from entry 0 (as an HPET timer and a
     * platform device's slot 2 do without remapping): only the writer's device and storage tell them apart.
     */
    @Test
    void theOwnersMessageInTheWindowIsTheOwnersThoughBothWritersLackARequesterIdAndSendFromTheSameEntry()
            throws Exception {
        int[] irqs = boot();
        int mover = irqs[0];
        int owner = irqs[1];
        assertEquals(-1, ahci.requesterId());
        assertEquals(-1, other.requesterId());
        ops.beforeWrite.add(() -> { }); // the interim write
        ops.beforeWrite.add(() -> {
            other.raise(0); // (CPU 0, 0x21): the owner's own message sets the IRR bit
            ahci.raise(0); // the interim message, the same one: merges with it
        });
        domain.setAffinity(mover, 2);

        assertEquals(1, on(owner, 0), "the bit, delivered to its owner when CPU 0 enables");
        assertEquals(0, domain.unhandled(owner), "the owner's own event: not a spurious call");
        assertEquals(1, total(owner) + domain.merged(owner) - domain.unhandled(owner), "the owner raised one");
        assertEquals(1, on(mover, 2), "the IRR bit set: the mover is retriggered on its new CPU");
        assertEquals(1, total(mover) + domain.merged(mover) - domain.unhandled(mover), "the mover raised one");
        assertEquals(0, domain.spurious(0) + domain.spurious(2));
    }

    @Test
    void onADyingCpuTheBitStaysForTheOwnerAndIsResentWhenTheOwnersVectorThereIsReleased() throws Exception {
        int[] irqs = boot();
        int mover = irqs[0];
        int owner = irqs[1];
        domain.cpuOffline(1);
        domain.cpuOffline(3); // CPU 0's irqs can only go to CPU 2, where 0x20 is taken
        // the mover goes first (lower irq): its interim message lands on the dead CPU 0, in the owner's slot; the
        // owner then moves to (CPU 2, 0x22) and its old vector is released: the bit is resent to it there
        ops.beforeWrite.add(() -> { }); // the interim write
        ops.beforeWrite.add(() -> ahci.raise(0));
        domain.cpuOffline(0);

        assertEquals(2, domain.irq(mover).orElseThrow().cpu());
        assertEquals(0x21, domain.irq(mover).orElseThrow().vector());
        assertEquals(1, total(mover), "the interim message retriggered on CPU 2");
        assertEquals(1, on(owner, 2), "and the bit left on the dead CPU resent to the owner's new target");
        assertEquals(sdm(2, 0x22), other.msgs[0]);
        assertEquals(1, domain.unhandled(owner));
        assertEquals(0, total(owner) + domain.merged(owner) - domain.unhandled(owner));
        assertEquals(1, total(mover) + domain.merged(mover) - domain.unhandled(mover));
        assertTrue(machine.apics[0].irr.isEmpty(), "nothing left in the dead CPU's IRR");
        assertEquals(0, domain.spurious(0) + domain.spurious(1) + domain.spurious(2));
    }
}
