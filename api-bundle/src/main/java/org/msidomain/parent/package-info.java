/**
 * The parent-domain SPI of the generic MSI domain: the interrupt-controller side of a message (Linux's parent irq
 * domain with its {@code msi_parent_ops}). A parent decides what a message is: it allocates targets, composes the
 * message a device stores, programs its controller (a remapping entry, an ITS translation, a distributor route),
 * masks at the destination and tells the domain how a source must be moved. The domain knows no architecture.
 *
 * <p>A parent bundle registers one {@link org.msidomain.parent.MsiParent} service for the machine it serves, with
 * the service property {@value org.msidomain.parent.MsiParent#ARCH}; the domain waits until there is one. The
 * built-in x86 parent (APIC vector domain, with VT-d remapping stacked on it) is registered the same way.
 *
 * <p>1.0 was released in SDK 1.1.0. 1.1: an id held on a CPU read without taking it
 * ({@link org.msidomain.parent.MsiParent#isHeld}), for an interim target another interrupt owns.
 */
@Export
@Version("1.1.0")
package org.msidomain.parent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
