package org.msidomain.testkit.internal;

import org.msidomain.api.IrqInfo;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;

/** delivery: each vector is delivered once, on its affinity CPU, wherever it is steered. */
final class DeliveryCheck extends Check {

    DeliveryCheck(Kit kit) {
        super("delivery", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Vectors vectors = kit.requestAll(Integer.MAX_VALUE);
        int cpus = domain.cpuCount();
        int events = 0;
        for (Vector v : vectors.all) {
            require(vectors.raiseOnce(v), v.where() + ": raised, not delivered");
            int cpu = domain.irq(v.irq()).orElseThrow().cpu();
            require(vectors.lastCpu(v) == cpu, v.where() + ": delivered on CPU" + vectors.lastCpu(v)
                    + ", its affinity is CPU" + cpu);
            events++;
            for (int c = 0; c < cpus; c++) {
                domain.setAffinity(v.irq(), c);
                IrqInfo info = domain.irq(v.irq()).orElseThrow();
                require(info.cpu() == c, v.where() + ": steered to CPU" + c + ", IrqInfo.cpu " + info.cpu());
                long onCpu = info.counts().get(c);
                require(vectors.raiseOnce(v), v.where() + " on CPU" + c + ": not delivered");
                require(vectors.lastCpu(v) == c, v.where() + ": steered to CPU" + c
                        + ", delivered on CPU" + vectors.lastCpu(v));
                require(domain.irq(v.irq()).orElseThrow().counts().get(c) == onCpu + 1,
                        v.where() + ": /proc/interrupts count of CPU" + c + " not +1");
                events++;
            }
            // back where the domain put it: left on the last CPU, a storage of a few hundred vectors (IMS) would
            // fill that CPU's vector space before every vector had its turn
            domain.setAffinity(v.irq(), cpu);
        }
        require(vectors.totalDelivered() == vectors.totalFired(), "fired " + vectors.totalFired() + ", delivered "
                + vectors.totalDelivered());
        return pass(vectors.all.size() + " vectors, " + events + " events on " + cpus
                + " CPUs: each on its affinity CPU (handler cpu == IrqInfo.cpu), once");
    }
}
