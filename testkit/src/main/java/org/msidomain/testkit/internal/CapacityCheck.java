package org.msidomain.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.testkit.CheckRow;

/**
 * capacity: each device's maxVectors can be allocated on distinct indices, and one vector more is refused
 * without changing the domain.
 */
final class CapacityCheck extends Check {

    CapacityCheck(Kit kit) {
        super("capacity", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Vectors vectors = new Vectors(domain, subject.storage);
        List<String> caps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> moreKinds = new TreeSet<>();
        for (String d : subject.devices) {
            HwDevice hw = kit.hw(d);
            int max = kit.capacity(hw);
            require(max >= 1, d + ": maxVectors " + max);
            List<IrqInfo> before = domain.irqs();
            try {
                domain.allocate(d, max + 1, Vectors.isDefault(hw, subject.storage) ? "" : subject.storage);
                throw new AssertionError(d + ": " + (max + 1) + " vectors allocated beyond maxVectors " + max);
            } catch (IllegalArgumentException expected) {
                // refused cleanly
            }
            require(domain.irqs().equals(before), d + ": refusing " + (max + 1) + " vectors changed the domain");
            int[] irqs = vectors.allocate(hw, max);
            Map<Integer, String> refused = new TreeMap<>(vectors.refused);
            require(irqs.length + refused.size() == max, d + ": allocated " + irqs.length + " of " + max
                    + (refused.isEmpty() ? "" : ", refused " + refused));
            Set<Integer> indices = new TreeSet<>();
            for (int irq : irqs) {
                indices.add(domain.irq(irq).orElseThrow().index());
            }
            require(indices.size() == irqs.length, d + ": " + irqs.length + " vectors on " + indices.size() + " indices");
            if (!refused.isEmpty()) {
                notes.add(d + " indices " + refused.keySet() + " refused (" + refused.values().iterator().next() + ")");
            }
            List<IrqInfo> full = domain.irqs();
            String more;
            try {
                int extra = domain.allocateAt(d, subject.storage, MsiDomain.ANY_INDEX);
                throw new AssertionError(d + ": a vector beyond maxVectors " + max + " allocated (irq " + extra + ")");
            } catch (IllegalArgumentException | IllegalStateException expected) {
                more = expected.getClass().getSimpleName();
            }
            require(domain.irqs().equals(full), d + ": refusing one more vector changed the domain");
            domain.free(d);
            caps.add(d + "=" + max + (refused.isEmpty() ? "" : " (" + irqs.length + " usable)"));
            moreKinds.add(more);
        }
        return pass("maxVectors " + String.join(", ", caps) + " allocated; max+1 refused with "
                + "IllegalArgumentException, one more at ANY_INDEX with " + String.join("/", moreKinds) + ", domain unchanged" + (notes.isEmpty() ? "" : "; " + String.join("; ", notes)));
    }
}
