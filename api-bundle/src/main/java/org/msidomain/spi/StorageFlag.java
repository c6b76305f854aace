package org.msidomain.spi;

/** What a storage variant can do; the domain chooses its sequences from these, once per device. */
public enum StorageFlag {
    /** The storage can mask each vector at the source (PCI MSI-X, MSI with per-vector masking). */
    CAN_MASK,
    /** One message serves a power-of-two block of vectors (multi-message PCI MSI). */
    MULTI_MESSAGE,
    /** Vectors may be added and removed while the storage is enabled (dynamic MSI-X). */
    ALLOC_DYNAMIC,
    /** Updates are recorded under {@code lock} and pushed to the device at {@code unlock}. */
    BUS_LOCK,
    /**
     * A hypervisor owns the table's messages: it chooses them ({@code writeMsg} only names the destination), the
     * OS never writes them nor zeroes them on deactivation, and the domain takes each descriptor's message from
     * the device ({@link MsiStorage#readMsg}, Linux's pseries {@code pseries_msi_compose_msg}). The mask bits may
     * still be the OS's ({@link #CAN_MASK}).
     */
    HYPERVISOR_OWNED,
    /** Events raised while masked at the source are lost, not latched (HPET FSB). */
    LOSSY_MASK,
    /** Besides the source, the destination (parent) is masked too: mask device then parent. */
    MASK_PARENT,
    /**
     * The storage is an interrupt-remapping unit's own (VT-d fault, invalidation and page-request
     * events): its interrupts sit directly on the vector domain, never remapped, and it keeps
     * destination bits 31:8 in the upper address (FEUADDR, Linux's {@code destid_8_31}), so it can
     * target APIC ids above 255.
     */
    REMAPPING_UNIT
}
