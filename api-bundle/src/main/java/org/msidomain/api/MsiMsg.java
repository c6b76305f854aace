package org.msidomain.api;

/**
 * An MSI message: the address/data pair a device writes to signal an interrupt. Address and data
 * are stored and written as separate 32-bit words, as in hardware.
 *
 * @param addressLo low 32 bits of the message address
 * @param addressHi high 32 bits of the message address (0 for a 32-bit message)
 * @param data      the message data
 */
public record MsiMsg(int addressLo, int addressHi, int data) {

    /** The all-zero message written on deactivation. */
    public static final MsiMsg ZERO = new MsiMsg(0, 0, 0);

    /** The full 64-bit address. */
    public long address() {
        return ((long) addressHi << 32) | (addressLo & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        return String.format("MsiMsg[address=%08x%08x data=%08x]", addressHi, addressLo, data);
    }
}
