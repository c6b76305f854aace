package org.msidomain.x86.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentIrq;
import org.msidomain.spi.StorageFlag;

/**
 * The vector parent alone on the model's default machine (4 CPUs, no remapping), called as the core calls it for a
 * non-maskable move (x86 {@code msi_set_affinity}): the move's vector is {@code irq_matrix_alloc}'s, the lowest free
 * one of the new CPU, whatever the old CPU holds under that number; the IRR of the old CPU is read with the bit
 * left ({@code lapic_vector_set_in_irr}) or taken ({@code irq_retrigger} after clearing it).
 */
class VectorParentTest {

    private SimMachine machine;
    private VectorParent parent;
    private final List<String> delivered = new ArrayList<>();

    record Device(String id) implements ParentDevice {
        @Override
        public String storageType() {
            return "pci";
        }

        @Override
        public boolean has(StorageFlag flag) {
            return false; // cannot mask: the two-step move
        }

        @Override
        public int requesterId() {
            return -1;
        }

        @Override
        public int blockSize() {
            return 1;
        }

        @Override
        public int hwsize() {
            return 1;
        }
    }

    record Irq(Device device, int irq) implements ParentIrq {
        @Override
        public int index() {
            return 0;
        }

        @Override
        public MsiMsg msg() {
            return MsiMsg.ZERO;
        }

        @Override
        public boolean masked() {
            return false;
        }

        @Override
        public int blockSize() {
            return 1;
        }
    }

    @BeforeEach
    void machine() {
        machine = new SimMachine(MachineLoader.build(MachineLoader.bundled("default")));
        machine.connect(new VectorSink() {
            @Override
            public void accept(int cpu, int vector) {
                delivered.add(cpu + ":0x" + Integer.toHexString(vector));
            }
        });
        parent = new VectorParent(machine);
    }

    @AfterEach
    void close() {
        machine.close();
    }

    private static Irq irq(String device, int irq) {
        return new Irq(new Device(device), irq);
    }

    /** Intel SDM 11.11.1: 0xFEE00000 | destination APIC id << 12, physical, fixed; data = the vector. */
    private void send(int cpu, int vector) {
        machine.injectMessage(0xFEE0_0000L | (long) machine.apicId(cpu) << 12, vector, null);
    }

    @Test
    void aTwoStepMovesVectorIsTheNewCpusLowestFreeEvenWhereTheOldCpuGivesThatNumberToAnotherIrq() {
        Irq mover = irq("00:1f.2", 24);
        assertEquals(0x20, parent.allocate(mover, 0));
        assertEquals(0x21, parent.allocate(irq("00:05.0", 25), 0)); // CPU 0's 0x21: another irq's
        assertEquals(0x20, parent.allocate(irq("00:06.0", 26), 2)); // CPU 2's 0x20 taken

        assertEquals(0x21, parent.allocateForMove(mover, 0, 0x20, 2),
                "irq_matrix_alloc on CPU 2: 0x21, though CPU 0 uses it (the interim slot is shared)");
        assertEquals(0x22, parent.allocate(irq("00:07.0", 27), 2), "0x21 is now taken on CPU 2");
        assertEquals(new MsiMsg(0xFEE0_0000 | machine.apicId(0) << 12, 0, 0x21), parent.activate(mover, 0, 0x21),
                "the interim message: the old CPU, the new vector");
    }

    @Test
    void aMoveToACpuWithoutAFreeVectorGetsNone() {
        for (int v = 0x20; v <= 0xEF; v++) {
            parent.allocate(irq("00:04.0", v), 1);
        }
        assertEquals(0, parent.free(1));
        assertEquals(-1, parent.allocateForMove(irq("00:1f.2", 24), 0, 0x20, 1));
    }

    @Test
    void isHeldLeavesTheIrrBitForTheVectorsOwnerAndTakeHeldClearsIt() {
        parent.holdCpu(1);
        send(1, 0x31);
        assertTrue(parent.isHeld(1, 0x31), "the message waits in CPU 1's IRR");
        assertTrue(parent.isHeld(1, 0x31), "and is still there: isHeld does not clear it");
        assertFalse(parent.isHeld(1, 0x32));
        assertEquals(List.of(), delivered);
        parent.resumeCpu(1);
        assertEquals(List.of("1:0x31"), delivered, "delivered once on CPU 1 when it takes interrupts again");

        parent.holdCpu(1);
        send(1, 0x31);
        assertTrue(parent.takeHeld(1, 0x31), "held, and taken");
        assertFalse(parent.isHeld(1, 0x31), "the bit is clear");
        assertFalse(parent.takeHeld(1, 0x31));
        parent.resumeCpu(1);
        assertEquals(List.of("1:0x31"), delivered, "a taken message is not delivered on CPU 1");
    }
}
