package ${package}.provider;

import org.msidomain.testkit.ConformanceKit;

/**
 * The conformance kit against this project's bundles (the provider jar and the device bundle), in Pax Exam:
 * what it runs comes from failsafe's system properties in pom.xml; the table is written to
 * target/conformance.txt.
 */
public class ConformanceIT extends ConformanceKit {
}
