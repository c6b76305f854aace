package org.example.ntb.provider.it;

import org.msidomain.testkit.ConformanceKit;

/** The SDK's conformance kit against this provider and the ntb devices of conformance-machine.json. */
public class ConformanceIT extends ConformanceKit {
}
