/**
 * Register access and the machine: how storage providers touch hardware (config space, MMIO) and how
 * the domain meets the simulated machine (its CPUs' local APICs and its devices). Implemented by the
 * hardware model bundle.
 */
@Export
@Version("1.0.0")
package org.msidomain.hw;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
