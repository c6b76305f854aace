package org.msidomain.testkit.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.msidomain.api.IrqInfo;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;

/**
 * bus-lock: a storage that declares BUS_LOCK pushes a new message only at unlock, so an event raised in
 * unlock() before the push still goes by the old message (old CPU), the next by the new one.
 */
final class BusLockCheck extends Check {

    BusLockCheck(Kit kit) {
        super("bus-lock", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Map<String, StorageInfo> flags = kit.infos();
        List<String> locked = subject.devices.stream().filter(d -> flags.get(d).has(StorageFlag.BUS_LOCK)).toList();
        if (locked.isEmpty()) {
            return notApplicable("no storage declares BUS_LOCK (flags " + flagSummary(flags) + ")");
        }
        int cpus = domain.cpuCount();
        if (cpus < 2) {
            return notApplicable("one CPU: an affinity change cannot move a message");
        }
        AtomicInteger checked = new AtomicInteger();
        kit.withSpy(spy -> {
            Vectors vectors = new Vectors(domain, subject.storage);
            for (String d : locked) {
                vectors.request(kit.hw(d), Kit.FIRING_VECTORS, kit.ack);
            }
            for (Vector v : vectors.all) {
                domain.setAffinity(v.irq(), 0);
                IrqInfo old = domain.irq(v.irq()).orElseThrow();
                int target = 1 + (v.slot() % (cpus - 1));
                AtomicReference<String> seen = new AtomicReference<>("unlock not reached");
                long before = vectors.delivered(v);
                spy.arm(v.device(), v.index(), (device, index) -> {
                    // the new message is recorded, not pushed: an event now must go by the old one
                    vectors.raise(v);
                    seen.set(vectors.delivered(v) > before ? "delivered on CPU" + vectors.lastCpu(v) : "held");
                });
                try {
                    domain.setAffinity(v.irq(), target);
                } finally {
                    spy.disarm();
                }
                domain.awaitSettled(10_000);
                require(vectors.awaitDelivered(v, before + 1), v.where()
                        + ": event raised before unlock never delivered (" + seen.get() + ")");
                IrqInfo now = domain.irq(v.irq()).orElseThrow();
                require(now.counts().get(target).equals(old.counts().get(target)), v.where()
                        + ": event raised before unlock delivered on the new CPU" + target
                        + ": the message reached the device before unlock (" + seen.get() + ")");
                require(now.counts().get(0) == old.counts().get(0) + 1, v.where()
                        + ": event raised before unlock not delivered once on the old CPU0 (" + seen.get() + ")");
                require(now.cpu() == target, v.where() + ": not steered to CPU" + target + " after unlock");
                require(vectors.raiseOnce(v) && vectors.lastCpu(v) == target,
                        v.where() + ": after unlock not delivered on CPU" + target);
                checked.incrementAndGet();
            }
        });
        return pass(checked + " vectors of " + locked + ": an event raised in unlock() before the push "
                + "was delivered on the old CPU (old message), the next on the new CPU");
    }
}
