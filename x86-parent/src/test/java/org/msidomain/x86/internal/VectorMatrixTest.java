package org.msidomain.x86.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class VectorMatrixTest {

    @Test
    void everyCpuHasDeviceVectors0x20To0xEF() {
        VectorMatrix d = new VectorMatrix(new int[] {0, 1});
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 0xEF - 0x20 + 1; i++) {
            int v = d.allocate(1);
            assertTrue(v >= 0x20 && v <= 0xEF, "vector " + v);
            assertTrue(seen.add(v), "vector " + v + " handed out twice");
        }
        assertEquals(0, d.free(1));
        assertEquals(208, d.free(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.allocate(1));
        assertEquals("no free vector on CPU 1", e.getMessage());
    }

    @Test
    void spreadsOverTheEmptiestCpu() {
        VectorMatrix d = new VectorMatrix(new int[] {0, 1, 2, 3});
        int[] perCpu = new int[4];
        for (int i = 0; i < 40; i++) {
            int cpu = d.emptiestCpu();
            d.allocate(cpu);
            perCpu[cpu]++;
        }
        for (int cpu = 0; cpu < 4; cpu++) {
            assertEquals(10, perCpu[cpu], "CPU " + cpu);
        }
    }

    @Test
    void aReleasedVectorIsHandedOutAgainAtOnceAsLinuxsMatrixAllocatorDoes() {
        // kernel/irq/matrix.c: irq_matrix_alloc -> matrix_alloc_area -> bitmap_find_next_zero_area from
        // alloc_start (FIRST_EXTERNAL_VECTOR 0x20): always the lowest free vector of the CPU
        VectorMatrix d = new VectorMatrix(new int[] {0});
        assertEquals(0x20, d.allocate(0));
        assertEquals(0x21, d.allocate(0));
        d.release(0, 0x20);
        assertEquals(0x20, d.allocate(0), "the freed vector is the lowest free one: reused at once");
        assertEquals(0x22, d.allocate(0));
        IllegalStateException notAllocated = assertThrows(IllegalStateException.class, () -> d.release(0, 0x23));
        assertEquals("vector 35 of CPU 0 is not allocated", notAllocated.getMessage());
    }

    @Test
    void blocksAreAlignedPowersOfTwo() {
        VectorMatrix d = new VectorMatrix(new int[] {0});
        d.allocate(0); // 0x20 taken
        int base = d.allocateBlock(0, 8, -1);
        assertEquals(0, base % 8);
        assertEquals(0x28, base);
        assertEquals(208 - 9, d.free(0));
    }

    @Test
    void composesForTheCpusApicId() {
        VectorMatrix d = new VectorMatrix(new int[] {4, 6});
        assertEquals(0xFEE06000, X86Msi.compose(d.apicId(1), 0x30).addressLo()); // APIC id 6 in bits 19:12
        assertThrows(IllegalArgumentException.class, () -> d.checkCpu(2));
    }
}
