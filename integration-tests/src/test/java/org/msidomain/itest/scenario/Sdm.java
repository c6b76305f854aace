package org.msidomain.itest.scenario;

/**
 * Expected MSI messages written out from the specifications, never taken from the code under test or the
 * domain's cached message. Intel SDM vol. 3, 11.11 "Message Signalled Interrupts": address 0xFEE in bits
 * 31:20, the destination APIC id in bits 19:12, redirection hint (bit 3) and destination mode (bit 2) 0 for
 * a physical destination; data: the vector in bits 7:0, delivery mode 000 (fixed) in bits 10:8, trigger
 * mode 0 (edge) in bit 15.
 */
final class Sdm {

    private Sdm() {
    }

    /** The address of a fixed, physical-destination message to the CPU with this APIC id (up to 255). */
    static int addressLo(int apicId) {
        return 0xFEE0_0000 | apicId << 12;
    }

    /** The data of a fixed, edge-triggered message with this vector. */
    static int data(int vector) {
        return vector;
    }

    /**
     * The upper address a DMAR unit's own event message carries: destination id bits 31:8 in address bits
     * 63:40 (Linux {@code __irq_msi_compose_msg} with {@code dmar = true}: {@code destid_8_31}), which the
     * VT-d unit honours for its own interrupts.
     */
    static int dmarAddressHi(int apicId) {
        return apicId & 0xFFFF_FF00;
    }

    /** The low address a DMAR unit's own event message carries: destination id bits 7:0 in bits 19:12. */
    static int dmarAddressLo(int apicId) {
        return 0xFEE0_0000 | (apicId & 0xFF) << 12;
    }
}
