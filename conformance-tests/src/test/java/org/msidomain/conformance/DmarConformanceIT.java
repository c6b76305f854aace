package org.msidomain.conformance;

import java.util.Map;

import org.msidomain.hw.HwDevice;
import org.msidomain.testkit.Conformance;
import org.msidomain.testkit.ConformanceKit;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;

/**
 * The conformance kit against the built-in DMAR provider. A DMAR unit's event stays pending (its status
 * bit set: FSTS.PPF for faults, ICS.IWC for invalidation completion, PRS.PPR for page requests) until software
 * clears it, so the handler acknowledges each event, as Linux's dmar_fault does.
 */
public class DmarConformanceIT extends ConformanceKit {

    /** This module runs the kit on four providers, so each test class names its subject itself. */
    @Override
    @Configuration
    public Option[] config() {
        return Conformance.options(Map.of(
                "msi.conformance.bundles", "target/conformance-bundles/dmar-provider.jar",
                "msi.conformance.machine", "src/test/resources/machines/dmar.json",
                "msi.conformance.storage", "dmar",
                "msi.conformance.report", "target/conformance-dmar.txt",
                "msi.conformance.work", "target/msi-testkit-dmar"));
    }

    /** FSTS, ICS, PRS_REG: the status register of event 0 (fault), 1 (invalidation), 2 (page request). */
    private static final int[] STATUS = { 0x34, 0x9C, 0xDC };

    @Override
    protected void acknowledge(HwDevice device, String storage, int index) {
        device.region(0).write32(STATUS[index], -1); // write-1-to-clear
    }
}
