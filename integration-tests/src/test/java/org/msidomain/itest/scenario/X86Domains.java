package org.msidomain.itest.scenario;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.Machine;
import org.msidomain.x86.internal.X86Parents;

/** A domain outside a framework on the x86 parent of its machine (with remapping if the machine remaps). */
final class X86Domains {

    private X86Domains() {
    }

    static MsiDomainImpl domain(Machine machine) {
        return new MsiDomainImpl(machine, X86Parents.of(machine));
    }

    static MsiDomainImpl domain(Machine machine, long providerTimeoutMillis) {
        return new MsiDomainImpl(machine, X86Parents.of(machine), providerTimeoutMillis);
    }
}
