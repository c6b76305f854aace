/**
 * The conformance kit for MSI storage providers: {@link org.msidomain.testkit.ConformanceKit} (extend it, and
 * the subclass is a complete Pax Exam test) and {@link org.msidomain.testkit.Conformance} (the options that boot
 * the platform with the bundles under test).
 */
@Export
@Version("1.0.0")
package org.msidomain.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
