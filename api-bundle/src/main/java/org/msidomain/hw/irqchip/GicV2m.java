package org.msidomain.hw.irqchip;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A GICv2m MSI frame and the GIC distributor behind it, as Linux's {@code irq-gic-v2m.c} and {@code irq-gic.c}
 * drive them and QEMU's {@code arm_gicv2m.c} models the frame.
 *
 * <p>A message is a write of an SPI INTID to {@code MSI_SETSPI_NS} ({@link #setSpiAddress()}); the frame raises that
 * SPI, edge-triggered, if it is one of the frame's ({@link #typer()}), and ignores it otherwise. The distributor then
 * signals an enabled SPI to the CPU its {@code GICD_ITARGETSR} byte names; a disabled one stays pending and is
 * signalled once when it is enabled ({@code GICD_ISENABLER}/{@code GICD_ICENABLER}). A GICv2 distributor addresses
 * at most 8 CPUs.
 */
@ProviderType
public interface GicV2m {

    /** {@code MSI_TYPER}'s offset in the frame. */
    int MSI_TYPER = 0x008;
    /** {@code MSI_SETSPI_NS}'s offset in the frame. */
    int MSI_SETSPI_NS = 0x040;
    /** The first SPI INTID. */
    int SPI_BASE = 32;
    /** The highest SPI INTID + 1 (1020-1023 are special). */
    int SPI_LIMIT = 1020;

    /** The frame's base address. */
    long frameAddress();

    /** {@code MSI_TYPER}: bits 25:16 the frame's first SPI INTID, bits 9:0 the number of SPIs. */
    int typer();

    /** The address of {@code MSI_SETSPI_NS}: {@link #frameAddress()} + {@value #MSI_SETSPI_NS}. */
    long setSpiAddress();

    /** {@code GICD_ISENABLER}: enables SPI {@code intid}; a pending one is signalled now. */
    void enable(int intid);

    /** {@code GICD_ICENABLER}: disables SPI {@code intid}; it is held pending when raised. */
    void disable(int intid);

    /** Whether SPI {@code intid} is enabled. */
    boolean enabled(int intid);

    /** {@code GICD_ITARGETSR}: SPI {@code intid} is signalled to CPU {@code cpu} from now on (one target CPU). */
    void route(int intid, int cpu);

    /** The CPU SPI {@code intid} is routed to (CPU 0 after reset). */
    int target(int intid);

    /** Whether SPI {@code intid} is pending (raised while disabled, not signalled yet). */
    boolean pending(int intid);
}
