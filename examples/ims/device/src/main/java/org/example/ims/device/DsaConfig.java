package org.example.ims.device;

import org.msidomain.hw.ConfigSpace;

/**
 * The configuration space of the DSA function: the bytes of the real dump, with the writable bits the PCI
 * specification gives the registers this model implements (Command, MSI-X Message Control, PMCSR Power
 * State); every other register reads as dumped and ignores writes. The MSI-X Enable and Function Mask bits
 * gate the MSI-X table ({@link #msixGate()}).
 */
final class DsaConfig implements ConfigSpace {

    /** MSI-X capability of the dump ([80] MSI-X: Count=9, table BAR0+0x2000, PBA BAR0+0x3000). */
    static final int MSIX_CAP = 0x80;
    static final int MSIX_CONTROL = MSIX_CAP + 2;
    static final int MSIX_ENABLE = 1 << 15;
    static final int MSIX_FUNCTION_MASK = 1 << 14;

    private static final int COMMAND = 0x04;
    /** Command: Memory Space, Bus Master, Parity Error Response, SERR# Enable, Interrupt Disable (no I/O BARs). */
    private static final int COMMAND_WRITABLE = 0x0546;
    /** PMCSR of the [90] Power Management capability: PowerState, bits 1:0. */
    private static final int PMCSR = 0x94;

    private final byte[] bytes;
    private final byte[] writable;
    private volatile int msixGate;
    private MessageEntries msix;

    DsaConfig(byte[] dump) {
        this.bytes = dump.clone();
        this.writable = new byte[bytes.length];
        writable[COMMAND] = (byte) COMMAND_WRITABLE;
        writable[COMMAND + 1] = (byte) (COMMAND_WRITABLE >>> 8);
        writable[MSIX_CONTROL + 1] = (byte) ((MSIX_ENABLE | MSIX_FUNCTION_MASK) >>> 8);
        writable[PMCSR] = 0x03;
        msixGate = gateOf(read16(MSIX_CONTROL));
    }

    /** Connects the MSI-X table its control word gates. */
    void attach(MessageEntries table) {
        this.msix = table;
    }

    /** {@link MessageEntries#OPEN}, {@code LATCHING} (Function Mask) or {@code OFF} (MSI-X Enable clear). */
    int msixGate() {
        return msixGate;
    }

    /** The OS's enumeration, before any driver (Linux {@code pci_msix_init}): MSI-X Enable cleared, the rest kept. */
    void bootQuiesce() {
        write16(MSIX_CONTROL, read16(MSIX_CONTROL) & ~MSIX_ENABLE);
    }

    @Override
    public int size() {
        return bytes.length;
    }

    @Override
    public int read8(int offset) {
        check(offset, 1);
        return bytes[offset] & 0xFF;
    }

    @Override
    public int read16(int offset) {
        check(offset, 2);
        return (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8;
    }

    @Override
    public int read32(int offset) {
        check(offset, 4);
        return read16(offset) | read16(offset + 2) << 16;
    }

    @Override
    public void write8(int offset, int value) {
        write(offset, 1, value);
    }

    @Override
    public void write16(int offset, int value) {
        write(offset, 2, value);
    }

    @Override
    public void write32(int offset, int value) {
        write(offset, 4, value);
    }

    private synchronized void write(int offset, int width, int value) {
        check(offset, width);
        for (int k = 0; k < width; k++) {
            int w = writable[offset + k] & 0xFF;
            int v = (value >>> (8 * k)) & 0xFF;
            bytes[offset + k] = (byte) ((bytes[offset + k] & ~w) | (v & w));
        }
        if (offset <= MSIX_CONTROL + 1 && offset + width > MSIX_CONTROL) {
            updateGate(gateOf(read16(MSIX_CONTROL)));
        }
    }

    private void updateGate(int gate) {
        int before = msixGate;
        msixGate = gate;
        if (msix == null || gate == before) {
            return;
        }
        if (gate == MessageEntries.OPEN) {
            msix.gateOpened();
        } else if (before == MessageEntries.OPEN) {
            msix.gateClosed();
        }
    }

    private static int gateOf(int control) {
        if ((control & MSIX_ENABLE) == 0) {
            return MessageEntries.OFF;
        }
        return (control & MSIX_FUNCTION_MASK) != 0 ? MessageEntries.LATCHING : MessageEntries.OPEN;
    }

    private void check(int offset, int width) {
        if (offset < 0 || offset + width > bytes.length || offset % width != 0) {
            throw new IllegalArgumentException("config access of " + width + " bytes at 0x"
                    + Integer.toHexString(offset) + ": unaligned or beyond the " + bytes.length + " bytes");
        }
    }
}
