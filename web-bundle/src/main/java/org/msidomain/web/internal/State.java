package org.msidomain.web.internal;

import java.util.List;

/**
 * The JSON document of {@code /msi/api/state}: one consistent look at the domain. Its field names are the
 * endpoint's public format (add fields, never rename them).
 *
 * @param time      when the interrupt counts were read, in milliseconds of a monotonic server clock (only
 *                  differences mean something: rates are count differences over time differences)
 * @param rateWindow the milliseconds the {@link Irq#rates()} span (the server samples the counts every 500 ms),
 *                  0 until two samples exist
 * @param cpus      the number of CPUs
 * @param providers the provider bundles: every bound provider, and every installed bundle that offers a
 *                  storage provider but is not bound now (stopped, starting, ...)
 * @param devices   every MSI-capable device with its binding
 * @param irqs      every allocated interrupt, by irq number, with its per-CPU counts
 * @param spurious  per CPU, messages that arrived on a vector no interrupt owns
 */
public record State(double time, double rateWindow, int cpus, List<Provider> providers, List<Device> devices, List<Irq> irqs,
        List<Long> spurious) {

    /** A row of {@code msi:providers}, and whether the domain has bound the provider now. */
    public record Provider(long bundleId, String symbolicName, String version, List<String> types, String state,
            boolean bound, int devices, int vectors) {
    }

    /** A row of {@code msi:devices}, with the reason of a device that is not bound. */
    public record Device(String id, String type, String state, String provider, int vectors, String reason) {
    }

    /**
     * An allocated interrupt: where it is steered, how many times each CPU handled it, and how many times per
     * second over the last rate window ({@code null} for an interrupt younger than the window), and its affinity
     * mask (the CPUs of {@code smp_affinity_list}; empty for an irq freed while the document was built).
     */
    public record Irq(int irq, String device, int index, String chip, int cpu, int vector, boolean masked,
            String action, List<Long> counts, List<Double> rates, List<Integer> affinity) {
    }
}
