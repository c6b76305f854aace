package org.msidomain.testkit.internal;

import java.util.Map;

import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.internal.Vectors.Vector;

/**
 * mask: nothing is delivered while a vector is masked; on unmask the events raised meanwhile are delivered
 * once, or lost where the storage declares LOSSY_MASK.
 */
final class MaskCheck extends Check {

    MaskCheck(Kit kit) {
        super("mask", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Map<String, StorageInfo> flags = kit.infos();
        Vectors vectors = kit.requestAll(Kit.FIRING_VECTORS);
        int latched = 0;
        int lossy = 0;
        long lostBefore = machine.lostMessages();
        for (Vector v : vectors.all) {
            boolean isLossy = flags.get(v.device()).has(StorageFlag.LOSSY_MASK);
            long before = vectors.delivered(v);
            domain.mask(v.irq());
            vectors.raise(v);
            vectors.raise(v);
            domain.awaitSettled(10_000);
            require(vectors.delivered(v) == before, v.where() + ": delivered while masked ("
                    + (vectors.delivered(v) - before) + ")");
            domain.unmask(v.irq());
            long expected = isLossy ? 0 : 1;
            if (expected == 1) {
                long lostNow = machine.lostMessages() - lostBefore;
                require(lostNow == 0 && vectors.awaitDelivered(v, before + 1) || vectors.delivered(v) > before,
                        v.where() + ": 2 events raised while masked, none delivered on unmask"
                        + (lostNow > 0 ? " (the machine lost " + lostNow + " messages)" : ""));
            }
            domain.awaitSettled(10_000);
            require(vectors.delivered(v) - before == expected, v.where() + ": 2 events raised while masked, "
                    + (vectors.delivered(v) - before) + " delivered on unmask, expected " + expected
                    + (isLossy ? " (LOSSY_MASK)" : ""));
            require(vectors.raiseOnce(v), v.where() + ": not delivered after unmask");
            if (isLossy) {
                lossy++;
            } else {
                latched++;
            }
        }
        return pass(vectors.all.size() + " vectors, 2 events each while masked: none delivered while masked; "
                + (latched > 0 ? latched + " delivered once on unmask" : "") + (latched > 0 && lossy > 0 ? ", " : "")
                + (lossy > 0 ? lossy + " lost as declared (LOSSY_MASK)" : "") + "; each delivered after unmask"
                + "; flags " + flagSummary(flags));
    }
}
