package org.example.ims.provider;

import org.msidomain.testkit.ConformanceKit;

/** The SDK's conformance kit against this provider and the idxd devices of conformance-machine.json. */
public class ConformanceIT extends ConformanceKit {
}
