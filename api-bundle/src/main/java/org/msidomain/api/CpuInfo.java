package org.msidomain.api;

/**
 * One CPU as the domain sees it (Linux's {@code /sys/devices/system/cpu/cpuN/online} and the vector matrix's
 * per-CPU allocation): whether it is online, and how many device vectors are in use on it. An offline CPU holds
 * none: going offline moved them all.
 *
 * @param cpu     the CPU number
 * @param online  whether it is online (takes interrupts and new vectors)
 * @param vectors the device vectors allocated on it now
 * @since 1.4
 */
public record CpuInfo(int cpu, boolean online, int vectors) {
}
