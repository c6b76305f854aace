package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Linux's cpulist: the forms {@code bitmap_parselist} reads ({@code Documentation/admin-guide/kernel-parameters.rst},
 * "cpu lists": {@code 0,2-4}, {@code 0-7:2/4}) and the form {@code smp_affinity_list} prints.
 */
class CpuListTest {

    private static List<Integer> parse(String text) {
        return List.copyOf(CpuList.parse(text, 16));
    }

    private static String refusal(String text) {
        return assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text, 16)).getMessage();
    }

    @Test
    void linuxForms() {
        assertEquals(List.of(2, 3, 6), parse("2-3,6"));
        assertEquals(List.of(5), parse("5"));
        assertEquals(List.of(0, 2, 3, 4), parse("0,2-4"));
        // the kernel-parameters example: 0-7:2/4 is 0,1,4,5
        assertEquals(List.of(0, 1, 4, 5), parse("0-7:2/4"));
        assertEquals(List.of(1, 2, 3), parse("3,1,2,2"), "order and repeats do not matter");
        assertEquals(List.of(0, 1), parse("0-1\n"), "echo's newline, as the kernel takes it");
        assertEquals(List.of(15), parse("15-15"));
    }

    @Test
    void badListsAreRefusedNamingThePart() {
        assertEquals("CPULIST '' names no CPU", refusal(""));
        assertEquals("CPULIST '3-1': range 3-1 ends before it starts", refusal("3-1"));
        assertEquals("CPULIST '1,': an empty entry", refusal("1,"));
        assertEquals("CPULIST 'a-b': 'a-b' is not a CPU or a range FIRST-LAST", refusal("a-b"));
        assertEquals("CPULIST '-3': '-3' is not a CPU or a range FIRST-LAST", refusal("-3"));
        assertEquals("CPULIST '0-7:3/2': '0-7:3/2' uses 3 of every 2 CPUs", refusal("0-7:3/2"));
        assertEquals("CPULIST '0-7:0/0': '0-7:0/0' uses 0 of every 0 CPUs", refusal("0-7:0/0"));
        assertEquals("CPULIST '4:1/2': '4:1/2' is not FIRST-LAST:USED/GROUP", refusal("4:1/2"));
        assertEquals("CPU 16 out of range 0-15", refusal("0-16"));
        assertEquals("CPULIST '99999999999': '99999999999' is not a CPU or a range FIRST-LAST", refusal("99999999999"));
    }

    @Test
    void printedAsSmpAffinityListPrintsIt() {
        assertEquals("0-3,6", CpuList.format(Set.of(6, 0, 1, 2, 3)));
        assertEquals("5", CpuList.format(Set.of(5)));
        assertEquals("1,3,5-6", CpuList.format(List.of(1, 3, 5, 6)));
    }
}
