/**
 * Register access and the machine: how storage providers touch hardware (config space, MMIO) and how
 * the domain meets the simulated machine (its CPUs' local APICs and its devices). Implemented by the
 * hardware model bundle.
 *
 * <p>{@link org.msidomain.hw.HwDevice}, {@link org.msidomain.hw.Mmio} and {@link org.msidomain.hw.ConfigSpace} are
 * implemented by device models, the built-in ones and those of outside {@link org.msidomain.hw.DeviceKind} bundles
 * alike ({@code @ConsumerType}): a device bundle built against 1.x resolves against every 1.y; methods are only ever
 * added to them with a default.
 *
 * <p>1.1: device kinds from bundles ({@link org.msidomain.hw.DeviceKind}, {@link org.msidomain.hw.DeviceSpec},
 * {@link org.msidomain.hw.DevicePort}), devices that join and leave a running machine
 * ({@link org.msidomain.hw.MachineListener}, {@link org.msidomain.hw.WaitingDevice}), several storages per
 * device ({@link org.msidomain.hw.HwDevice#storageTypes()}) and raised each
 * ({@link org.msidomain.hw.HwDevice#raise(String, int)}). 1.2: merges counted per interrupt
 * ({@link org.msidomain.hw.HwDevice#merged(String, int)}, {@link org.msidomain.hw.VectorSink#merged(int, int)}). 1.3: the machine's architecture
 * ({@link org.msidomain.hw.Machine#arch()}) and its interrupt controllers ({@link org.msidomain.hw.Machine#irqchip(Class)},
 * package {@code org.msidomain.hw.irqchip}), released in SDK 1.1.0. 1.4: an IRR test that leaves the bit
 * ({@link org.msidomain.hw.LocalApic#irrSet(int)}) and the writer of a message held in an IRR ({@link org.msidomain.hw.VectorSink#requested},
 * {@link org.msidomain.hw.VectorSink#merged(int, int, String, String, int)}).
 */
@Export
@Version("1.4.0")
package org.msidomain.hw;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
