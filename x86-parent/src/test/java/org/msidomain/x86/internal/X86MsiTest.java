package org.msidomain.x86.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;

class X86MsiTest {

    @Test
    void composesPhysicalFixedEdgeMessage() {
        MsiMsg msg = X86Msi.compose(3, 0x41);
        assertEquals(0xFEE03000, msg.addressLo(), "0xFEE, destination 3 in bits 19:12, DM=0, RH=0");
        assertEquals(0, msg.addressHi());
        assertEquals(0x41, msg.data(), "vector, fixed delivery (bits 10:8 = 0), edge (bit 15 = 0)");
    }

    @Test
    void decodesWhatItComposes() {
        for (int apic = 0; apic <= 0xFF; apic += 17) {
            for (int vector = 0x20; vector <= 0xEF; vector += 13) {
                MsiMsg msg = X86Msi.compose(apic, vector);
                assertEquals(apic, X86Msi.destination(msg));
                assertEquals(vector, X86Msi.vector(msg));
                assertTrue(X86Msi.isCompatibility(msg));
            }
        }
    }

    @Test
    void decodesLinuxMessagesFromRealDevices() {
        // ich10 AHCI from the corpus: Address fee01000 Data 4023 -> APIC 1, vector 0x23 (level-assert bit set).
        MsiMsg ahci = new MsiMsg(0xFEE01000, 0, 0x4023);
        assertEquals(1, X86Msi.destination(ahci));
        assertEquals(0x23, X86Msi.vector(ahci));
        assertFalse(X86Msi.isCompatibility(new MsiMsg(0xFEE00010, 0, 0)), "remappable format bit 4");
        assertFalse(X86Msi.isCompatibility(new MsiMsg(0xFFF41740, 0, 3)), "PowerPC MSI address");
    }

    @Test
    void refusesDestinationsBeyondEightBits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> X86Msi.compose(0x100, 0x30));
        assertTrue(e.getMessage().contains("APIC id 256"), e.getMessage());
    }
}
