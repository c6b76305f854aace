package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The message format of Intel SDM vol. 3, 10.11 (address: 0xFEE, destination id 19:12, RH bit 3, DM bit 2;
 * data: vector 7:0, delivery mode 10:8): which writes reach a CPU's vector, and what the shell is told.
 */
class InterruptFabricTest {

    private final InterruptFabric fabric = new InterruptFabric();
    private final List<String> delivered = new ArrayList<>();

    @BeforeEach
    void twoCpus() {
        fabric.attach(new SimLocalApic(0, 0, () -> (cpu, vector) -> delivered.add(cpu + ":" + vector), fabric));
        fabric.attach(new SimLocalApic(1, 2, () -> (cpu, vector) -> delivered.add(cpu + ":" + vector), fabric));
    }

    @Test
    void fixedReachesTheCpuWithTheApicIdOfTheAddress() {
        assertEquals("delivered to CPU1 vector 0x41", fabric.inject(0xFEE0_2000, 0, 0x0041, -1));
        assertEquals(List.of("1:65"), delivered);
        assertEquals(0, fabric.lost());
    }

    @Test
    void lowestPriorityWithAPhysicalDestinationIsFixedToThatCpu() {
        assertEquals("delivered to CPU1 vector 0x41 (lowest priority, one destination: as fixed)",
                fabric.inject(0xFEE0_2000, 0, 0x0141, -1));
        fabric.write(0xFEE0_2008, 0, 0x0142, -1); // redirection hint, physical: still that one CPU
        assertEquals(List.of("1:65", "1:66"), delivered);
        assertEquals(0, fabric.lost());
    }

    @Test
    void deliveryModesWithoutAVectorAreDroppedAndCounted() {
        assertEquals("dropped: delivery mode SMI (010) is not modelled", fabric.inject(0xFEE0_0000, 0, 0x0241, -1));
        assertEquals("dropped: delivery mode NMI (100) is not modelled", fabric.inject(0xFEE0_0000, 0, 0x0441, -1));
        assertEquals("dropped: delivery mode INIT (101) is not modelled", fabric.inject(0xFEE0_0000, 0, 0x0500, -1));
        assertEquals("dropped: delivery mode ExtINT (111) is not modelled", fabric.inject(0xFEE0_0000, 0, 0x0741, -1));
        assertEquals("dropped: delivery mode 011 is reserved", fabric.inject(0xFEE0_0000, 0, 0x0341, -1));
        assertEquals("dropped: delivery mode 110 is reserved", fabric.inject(0xFEE0_0000, 0, 0x0641, -1));
        fabric.write(0xFEE0_0000, 0, 0x0441, -1); // the device's own path drops them too
        assertEquals(List.of(), delivered);
        assertEquals(7, fabric.lost());
    }

    @Test
    void aLogicalDestinationIsDropped() {
        assertEquals("dropped: logical destination mode (address bit 2) is not modelled",
                fabric.inject(0xFEE0_100C, 0, 0x0141, -1));
        fabric.write(0xFEE0_1004, 0, 0x0041, -1);
        assertEquals(List.of(), delivered);
        assertEquals(2, fabric.lost());
    }
}
