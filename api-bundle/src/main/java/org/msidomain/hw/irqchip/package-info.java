/**
 * The machine's interrupt controllers on the architectures whose MSI parent is not x86's local APIC window:
 * what a parent driver programs, as Linux's irqchip drivers program them, reached through
 * {@link org.msidomain.hw.Machine#irqchip(Class)}. Implemented only by the hardware model
 * ({@code @ProviderType}).
 *
 * <ul>
 * <li>{@link org.msidomain.hw.irqchip.GicIts}: the GICv3 ITS of an {@code arm64-gicv3-its} machine (command queue,
 * device and collection tables, LPI configuration and pending tables);</li>
 * <li>{@link org.msidomain.hw.irqchip.GicV2m}: the GICv2m MSI frame and the GIC distributor's SPIs of an
 * {@code arm64-gicv2m} machine;</li>
 * <li>{@link org.msidomain.hw.irqchip.Imsic}: the RISC-V AIA IMSIC interrupt files of a {@code riscv-aia-imsic}
 * machine.</li>
 * </ul>
 */
@Export
@Version("1.0.0")
package org.msidomain.hw.irqchip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
