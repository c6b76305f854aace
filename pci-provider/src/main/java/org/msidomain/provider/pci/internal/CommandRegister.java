package org.msidomain.provider.pci.internal;

import org.msidomain.hw.ConfigSpace;

/**
 * The bits of a function's Command register (0x04) the MSI paths change, written as Linux writes them
 * (drivers/pci/pci.c {@code __pci_set_master} and {@code pci_intx}): read, change the one bit, and write
 * back only if it changed.
 */
final class CommandRegister {

    static final int OFFSET = 0x04;
    /** PCI_COMMAND_MASTER: the function may issue memory writes, its messages among them. */
    static final int MASTER = 1 << 2;
    /** PCI_COMMAND_INTX_DISABLE: the function does not assert INTx. */
    static final int INTX_DISABLE = 1 << 10;

    private CommandRegister() {
    }

    /**
     * The driver's probe as this platform models it: a fresh allocation is a driver starting to use the
     * function, and a Linux driver calls pci_set_master before pci_alloc_irq_vectors, since a function
     * without Bus Master Enable cannot write its messages.
     */
    static void setMaster(ConfigSpace config) {
        update(config, MASTER, true);
    }

    /**
     * Linux's pci_intx_for_msi: {@code pci_intx(dev, 0)} when MSI or MSI-X is enabled or restored
     * (msi_capability_init, msix_capability_init, __pci_restore_msi_state, __pci_restore_msix_state),
     * {@code pci_intx(dev, 1)} when it is shut down (pci_msi_shutdown, pci_msix_shutdown).
     */
    static void intx(ConfigSpace config, boolean enable) {
        update(config, INTX_DISABLE, !enable);
    }

    private static void update(ConfigSpace config, int bit, boolean set) {
        int command = config.read16(OFFSET);
        int wanted = set ? command | bit : command & ~bit;
        if (wanted != command) {
            config.write16(OFFSET, wanted);
        }
    }
}
