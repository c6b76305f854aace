package org.msidomain.x86.internal;

import org.msidomain.hw.Machine;
import org.msidomain.parent.MsiParent;

/**
 * The x86 parent of a machine outside a framework (tests, benchmarks): remapping stacked on the vector domain if
 * the machine remaps interrupts, else the vector domain, as the two components choose by the machine's properties.
 */
public final class X86Parents {

    private X86Parents() {
    }

    public static MsiParent of(Machine machine) {
        return machine.remapping().isPresent() ? new IrqRemapParent(machine) : new VectorParent(machine);
    }
}
