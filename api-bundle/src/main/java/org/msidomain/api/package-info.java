/**
 * The consumer API of the generic MSI domain: allocate and free a device's vectors, steer, mask and
 * unmask them, attach handlers and read per-CPU counts and snapshots.
 *
 * <p>1.1: {@link org.msidomain.api.MsiDomain#unboundSince}. 1.2: {@link org.msidomain.api.BindingListener}, told
 * of every change of a device's binding. 1.3: {@link org.msidomain.api.BindingState#WAITING} devices,
 * several storages per device ({@link org.msidomain.api.MsiDomain#irqOf(String, String, int)},
 * {@link org.msidomain.api.MsiDomain#storageOf(int)}), device added,
 * removed and declined events, affinity masks
 * ({@link org.msidomain.api.MsiDomain#setAffinity(int, java.util.Set)}, {@link org.msidomain.api.MsiDomain#affinityMask}).
 * 1.4: CPU hotplug ({@link org.msidomain.api.MsiDomain#cpuOffline}, {@link org.msidomain.api.MsiDomain#cpuOnline},
 * {@link org.msidomain.api.MsiDomain#cpus}, {@link org.msidomain.api.CpuInfo}) and managed interrupts
 * ({@link org.msidomain.api.MsiDomain#allocateAffinity}), per-irq merges ({@link org.msidomain.api.MsiDomain#merged}),
 * a secondary storage's capacity and dynamic allocation ({@link org.msidomain.api.MsiDomain#maxVectors(String, String)},
 * {@link org.msidomain.api.MsiDomain#allocateAt(String, String, int)}). 1.5: {@link org.msidomain.api.MsiDomain#unhandled},
 * a spurious delivery to the other owner of a two-step move's interim vector.
 */
@Export
@Version("1.5.0")
package org.msidomain.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
