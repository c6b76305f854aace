package org.msidomain.hw.irqchip;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The supervisor-level interrupt files of a RISC-V AIA IMSIC (RISC-V Advanced Interrupt Architecture, chapter 3),
 * as Linux's {@code irq-riscv-imsic-*.c} drives them and QEMU's {@code riscv_imsic.c} models them.
 *
 * <p>Each hart has an interrupt file at {@link #fileAddress(int)}; a message is a 32-bit write of an interrupt
 * identity (1 to {@link #identities()}) to the file's {@code seteipnum_le} register (offset 0), which sets the
 * identity's pending bit ({@code eip}). An identity that is pending and enabled ({@code eie}) is delivered to the
 * hart (the file's {@code eidelivery} is on and {@code eithreshold} 0) and its pending bit cleared, as the hart's
 * claim through {@code stopei} clears it. Identity 0 and identities beyond the file are ignored. The driver reaches
 * {@code eie} and {@code eip} through the {@code siselect}/{@code sireg} indirect CSRs of the hart itself; the
 * methods here are those CSR accesses.
 */
@ProviderType
public interface Imsic {

    /** {@code seteipnum_le}'s offset in an interrupt file. */
    int SETEIPNUM_LE = 0x000;
    /** The size of an interrupt file, and the unit of the stride. */
    int FILE_SIZE = 0x1000;

    /** The address of hart 0's interrupt file. */
    long base();

    /** The distance between two harts' files: a multiple of {@value #FILE_SIZE}. */
    long stride();

    /** The address of hart {@code hart}'s interrupt file: {@code base() + hart * stride()}. */
    long fileAddress(int hart);

    /** The highest interrupt identity of a file (63, 127, ... 2047: a multiple of 64 minus 1). */
    int identities();

    /** Sets or clears identity {@code id}'s {@code eie} bit in hart {@code hart}'s file; enabling delivers a pending one. */
    void setEnabled(int hart, int id, boolean enabled);

    /** Identity {@code id}'s {@code eie} bit in hart {@code hart}'s file. */
    boolean enabled(int hart, int id);

    /** Identity {@code id}'s {@code eip} bit in hart {@code hart}'s file. */
    boolean pending(int hart, int id);

    /** Sets identity {@code id}'s {@code eip} bit (a CSR write): delivered at once if enabled. */
    void setPending(int hart, int id);

    /** Clears identity {@code id}'s {@code eip} bit; returns whether it was set (Linux's {@code csr_read_clear}). */
    boolean clearPending(int hart, int id);

    /** A message write of {@code id} to hart {@code hart}'s {@code seteipnum_le}, as Linux's {@code writel} retriggers. */
    void seteipnum(int hart, int id);
}
