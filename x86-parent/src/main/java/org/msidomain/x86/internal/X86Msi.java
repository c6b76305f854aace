package org.msidomain.x86.internal;

import org.msidomain.api.MsiMsg;

/**
 * The x86 MSI message format in compatibility (non-remapped) form, as Linux's
 * {@code __irq_msi_compose_msg} builds it: address 0xFEE with the destination APIC id in bits 19:12,
 * physical destination mode, no redirection hint; data = vector, fixed delivery, edge.
 */
final class X86Msi {

    static final int BASE_ADDRESS_LO = 0xFEE0_0000;
    static final int FIRST_DEVICE_VECTOR = 0x20;
    static final int LAST_DEVICE_VECTOR = 0xEF;
    /**
     * The shared vector a reserved (activated but not yet requested) interrupt's message points at: the
     * x86 spurious vector, outside the device range, so a stray message is only counted as spurious.
     */
    static final int RESERVATION_VECTOR = 0xFF;

    private X86Msi() {
    }

    /**
     * Composes the message that targets {@code vector} on the CPU with {@code apicId}.
     *
     * @throws IllegalArgumentException if the APIC id does not fit the 8-bit destination field
     */
    static MsiMsg compose(int apicId, int vector) {
        if (apicId < 0 || apicId > 0xFF) {
            throw new IllegalArgumentException("APIC id " + apicId
                    + " cannot be expressed in a compatibility-format MSI address (needs interrupt remapping)");
        }
        if (vector < 0x10 || vector > 0xFF) {
            throw new IllegalArgumentException("vector " + vector + " is not a valid MSI vector");
        }
        return new MsiMsg(BASE_ADDRESS_LO | (apicId << 12), 0, vector);
    }

    /**
     * The DMAR variant: destination bits 7:0 in the address, bits 31:8 in the upper address
     * (Linux's destid_8_31, honoured by the VT-d unit for its own interrupts), so any x2APIC id fits.
     */
    static MsiMsg composeUpper(int apicId, int vector) {
        if (vector < 0x10 || vector > 0xFF) {
            throw new IllegalArgumentException("vector " + vector + " is not a valid MSI vector");
        }
        return new MsiMsg(BASE_ADDRESS_LO | ((apicId & 0xFF) << 12), apicId & 0xFFFF_FF00, vector);
    }

    /** The destination APIC id of a compatibility-format message. */
    static int destination(MsiMsg msg) {
        return (msg.addressLo() >>> 12) & 0xFF;
    }

    /** The vector of a message. */
    static int vector(MsiMsg msg) {
        return msg.data() & 0xFF;
    }

    /** Whether the message is aimed at the local APIC window in compatibility format. */
    static boolean isCompatibility(MsiMsg msg) {
        return msg.addressHi() == 0 && (msg.addressLo() >>> 20) == 0xFEE && (msg.addressLo() & 0x10) == 0;
    }
}
