package org.msidomain.conformance;

import java.util.Map;

import org.msidomain.testkit.Conformance;
import org.msidomain.testkit.ConformanceKit;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;

/** The conformance kit against the built-in hpet provider. */
public class HpetConformanceIT extends ConformanceKit {

    /** This module runs the kit on four providers, so each test class names its subject itself. */
    @Override
    @Configuration
    public Option[] config() {
        return Conformance.options(Map.of(
                "msi.conformance.bundles", "target/conformance-bundles/hpet-provider.jar",
                "msi.conformance.machine", "src/test/resources/machines/hpet.json",
                "msi.conformance.storage", "hpet",
                "msi.conformance.report", "target/conformance-hpet.txt",
                "msi.conformance.work", "target/msi-testkit-hpet"));
    }
}
