package org.msidomain.app.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Linux's cpulist, as {@code /proc/irq/N/smp_affinity_list} takes and prints it: CPUs and ranges joined by commas
 * ({@code 2-3,6}), a range optionally strided as {@code 0-7:2/4} (the first 2 of every group of 4:
 * {@code 0-1,4-5}), the grammar of {@code bitmap_parselist}.
 */
final class CpuList {

    private CpuList() {
    }

    /**
     * The CPUs of a list, each below {@code cpus}.
     *
     * @throws Malformed naming the part of the list that is not a cpulist
     * @throws IllegalArgumentException for a CPU out of range, as the domain words it
     */
    static Set<Integer> parse(String text, int cpus) {
        String list = text.trim();
        if (list.isEmpty()) {
            throw new Malformed("CPULIST '" + text + "' names no CPU");
        }
        Set<Integer> out = new TreeSet<>();
        for (String region : list.split(",", -1)) {
            int colon = region.indexOf(':');
            String range = colon < 0 ? region : region.substring(0, colon);
            int dash = range.indexOf('-');
            int first = number(dash < 0 ? range : range.substring(0, dash), region, text);
            int last = dash < 0 ? first : number(range.substring(dash + 1), region, text);
            int used = 1;
            int group = 1;
            if (colon >= 0) {
                String stride = region.substring(colon + 1);
                int slash = stride.indexOf('/');
                if (dash < 0 || slash < 0) {
                    throw bad(text, "'" + region + "' is not FIRST-LAST:USED/GROUP");
                }
                used = number(stride.substring(0, slash), region, text);
                group = number(stride.substring(slash + 1), region, text);
                if (group == 0 || used == 0 || used > group) {
                    throw bad(text, "'" + region + "' uses " + used + " of every " + group + " CPUs");
                }
            }
            if (first > last) {
                throw bad(text, "range " + range + " ends before it starts");
            }
            if (last >= cpus) {
                throw new IllegalArgumentException("CPU " + last + " out of range 0-" + (cpus - 1));
            }
            for (int start = first; start <= last; start += group) {
                for (int cpu = start; cpu < start + used && cpu <= last; cpu++) {
                    out.add(cpu);
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private static int number(String digits, String region, String text) {
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, region.isEmpty() ? "an empty entry" : "'" + region + "' is not a CPU or a range FIRST-LAST");
        }
        return Integer.parseInt(digits);
    }

    private static Malformed bad(String text, String problem) {
        return new Malformed("CPULIST '" + text + "': " + problem);
    }

    /** A list that is not written as Linux's cpulist (the caller adds its usage line). */
    static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** A set of CPUs as Linux prints a cpulist ({@code bitmap_print_to_pagebuf}): {@code 0-3,6}. */
    static String format(Collection<Integer> cpus) {
        StringBuilder out = new StringBuilder();
        int[] sorted = cpus.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        for (int i = 0; i < sorted.length; i++) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            out.append(out.length() > 0 ? "," : "").append(sorted[i]);
            if (j > i) {
                out.append('-').append(sorted[j]);
            }
            i = j;
        }
        return out.toString();
    }
}
