package org.msidomain.hw.internal;

import java.util.List;

/**
 * The machine's interrupt architecture ({@code "arch"} of the description) with its controller's parameters:
 * exactly one of {@code its}, {@code v2m}, {@code imsic} for the non-x86 ones, none for x86.
 */
public record ArchSpec(String name, Its its, V2m v2m, Imsic imsic) {

    public static final String X86 = "x86";
    public static final String GICV3_ITS = "arm64-gicv3-its";
    public static final String GICV2M = "arm64-gicv2m";
    public static final String IMSIC = "riscv-aia-imsic";
    public static final List<String> NAMES = List.of(X86, GICV3_ITS, GICV2M, IMSIC);

    public static final ArchSpec DEFAULT = new ArchSpec(X86, null, null, null);

    /** QEMU virt's ITS (VIRT_GIC_ITS) with 8192 LPIs. */
    public static final Its ITS_DEFAULTS = new Its(0x0808_0000L, 8192);
    /** QEMU virt's v2m frame (VIRT_GIC_V2M) with its 64 SPIs from INTID 80 (irqmap 48 + 32). */
    public static final V2m V2M_DEFAULTS = new V2m(0x0802_0000L, 80, 64);
    /** QEMU virt's supervisor IMSIC (VIRT_IMSIC_S), one 4 KiB file a hart, 255 identities (VIRT_IRQCHIP_NUM_MSIS). */
    public static final Imsic IMSIC_DEFAULTS = new Imsic(0x2800_0000L, 0x1000, 255);

    /** @param base the ITS base (64 KiB aligned); @param lpis the LPIs of the configuration table */
    public record Its(long base, int lpis) {
    }

    /** @param frame the MSI frame's base; @param spiBase its first SPI INTID; @param spiCount its SPIs */
    public record V2m(long frame, int spiBase, int spiCount) {
    }

    /** @param base hart 0's file; @param stride the distance between files; @param identities a file's identities */
    public record Imsic(long base, long stride, int identities) {
    }

    /** The interrupt numbers a CPU can be signalled: x86 vectors, INTIDs up to the last LPI or SPI, identities. */
    int ids() {
        if (its != null) {
            return org.msidomain.hw.irqchip.GicIts.LPI_BASE + its.lpis();
        }
        if (v2m != null) {
            return org.msidomain.hw.irqchip.GicV2m.SPI_LIMIT;
        }
        if (imsic != null) {
            return imsic.identities() + 1;
        }
        return 256;
    }
}
