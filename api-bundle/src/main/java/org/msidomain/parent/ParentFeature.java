package org.msidomain.parent;

/**
 * What a parent supports for a storage (Linux's {@code msi_parent_ops.supported_flags} as
 * {@code msi_lib_init_dev_msi_info} resolves them for one device domain).
 */
public enum ParentFeature {
    /** Multi-message PCI MSI: more than one vector of an MSI capability ({@code MSI_FLAG_MULTI_PCI_MSI}). */
    MULTI_PCI_MSI,
    /**
     * PCI MSI is masked at the source and at the parent, in Linux's order: the source first on mask, the parent
     * first on unmask ({@code MSI_FLAG_PCI_MSI_MASK_PARENT}).
     */
    PCI_MSI_MASK_PARENT,
    /**
     * The message names its target CPU: an affinity change rewrites the device's storage (x86 without remapping,
     * RISC-V IMSIC). Without it the storage holds a message that never changes on a move (a remapping handle, the
     * ITS translater and an EventID, a GICv2m SPI) and only the controller is reprogrammed.
     */
    MESSAGE_PER_TARGET,
    /**
     * A source that cannot mask and whose message changes moves in two steps through an interim target on the
     * old CPU, with that CPU's interrupts held off, and what arrived meanwhile is retriggered on the new target
     * (x86 {@code msi_set_affinity}). Only with {@link #MESSAGE_PER_TARGET}.
     */
    INTERIM_MOVE,
    /**
     * Reservation mode: a PCI MSI/MSI-X vector is activated with a shared reservation target and gets its own
     * target only when started (x86 {@code reserve_irq_vector}, {@code MSI_FLAG_MUST_REACTIVATE}).
     */
    RESERVATION_MODE,
    /** The parent masks at the destination in hardware ({@link MsiParent#mask}): what arrives is latched there. */
    MASK_AT_DESTINATION
}
