package org.msidomain.testkit.internal;

import org.msidomain.testkit.CheckRow;
import org.osgi.framework.Bundle;

/** binding: every device is bound to the provider, unbound when it stops and bound again when it starts. */
final class BindingCheck extends Check {

    BindingCheck(Kit kit) {
        super("binding", kit);
    }

    @Override
    CheckRow run() throws Exception {
        Bundle p = subject.provider();
        String bsn = p.getSymbolicName();
        long bound = kit.awaitBound(bsn);
        p.stop();
        long unbound = kit.awaitUnbound();
        p.start();
        long rebound = kit.awaitBound(bsn);
        return pass(subject.devices.size() + " devices BOUND to " + bsn + " (" + bound
                + " ms); stop -> UNBOUND in " + unbound + " ms; start -> BOUND in " + rebound + " ms");
    }
}
