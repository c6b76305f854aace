package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.hw.irqchip.Imsic;

/**
 * The IMSIC's supervisor files (RISC-V AIA 3.x: a file per hart at base + hart x stride, seteipnum_le at offset 0,
 * identity 0 reserved, eie/eip bit arrays) as Linux's irq-riscv-imsic-state.c drives them, including how it moves a
 * vector between harts: enable the new identity on the new hart, disable the old one, then on the old hart
 * read-and-clear the old identity's eip and, if it was set, write the new identity to the new hart's file.
 */
class ImsicTest {

    private SimMachine machine;
    private Imsic imsic;
    private final ArchMachines.Recorder cpus = new ArchMachines.Recorder();

    @BeforeEach
    void imsicMachine() {
        machine = ArchMachines.machine("{\"arch\": \"riscv-aia-imsic\", \"cpus\": 4, \"imsic\": {\"stride\": 8192}}");
        machine.connect(cpus);
        imsic = machine.irqchip(Imsic.class).orElseThrow();
    }

    @Test
    void eachHartHasItsFileAtBasePlusHartTimesStride() {
        assertEquals(0x2800_0000L, imsic.fileAddress(0));
        assertEquals(0x2800_0000L + 3 * 0x2000, imsic.fileAddress(3));
        assertEquals(255, imsic.identities());
        imsic.setEnabled(3, 9, true);
        assertEquals("delivered to CPU3 identity 9", machine.injectMessage(0x2800_6000L, 9, null));
        assertEquals(List.of("3:9"), cpus.delivered());
    }

    @Test
    void aDisabledIdentityIsPendingAndDeliveredOnceWhenEnabled() {
        assertEquals("held pending in hart 1's file: identity 5 is disabled", machine.injectMessage(imsic.fileAddress(1), 5, null));
        machine.injectMessage(imsic.fileAddress(1), 5, null);
        assertTrue(imsic.pending(1, 5));
        assertFalse(imsic.pending(0, 5), "another hart's file is another file");
        assertEquals(1, machine.coalescedMessages());
        imsic.setEnabled(1, 5, true);
        assertEquals(List.of("1:5"), cpus.delivered());
        assertFalse(imsic.pending(1, 5), "claimed");
        assertTrue(imsic.enabled(1, 5));
        imsic.setEnabled(1, 5, false);
        imsic.setEnabled(1, 5, true);
        assertEquals(List.of("1:5"), cpus.delivered(), "once");
    }

    @Test
    void identityZeroIdentitiesBeyondTheFileAndOtherAddressesAreDropped() {
        assertEquals("dropped: identity 0 is reserved", machine.injectMessage(imsic.fileAddress(0), 0, null));
        assertEquals("dropped: identity 256 is beyond the file's 255 identities", machine.injectMessage(imsic.fileAddress(0), 256, null));
        assertEquals("dropped: not an IMSIC interrupt file's seteipnum_le (0x28000000 + hart x 0x2000)",
                machine.injectMessage(imsic.fileAddress(0) + 4, 5, null));
        assertEquals("dropped: not an IMSIC interrupt file's seteipnum_le (0x28000000 + hart x 0x2000)",
                machine.injectMessage(imsic.fileAddress(0) + 4 * 0x2000L, 5, null), "no hart 4");
        assertEquals(4, machine.lostMessages());
        assertEquals(List.of(), cpus.delivered());
    }

    @Test
    void aMoveAsLinuxDoesItRetriggersAMessageThatHitTheOldFile() {
        imsic.setEnabled(0, 5, true); // the vector: hart 0, identity 5
        imsic.setEnabled(2, 7, true); // the new vector: hart 2, identity 7, enabled first
        imsic.setEnabled(0, 5, false); // old disabled; the device still has the old message
        machine.injectMessage(imsic.fileAddress(0), 5, null);
        assertEquals(List.of(), cpus.delivered());
        if (imsic.clearPending(0, 5)) { // __imsic_local_sync on the old hart
            imsic.seteipnum(2, 7);
        }
        assertEquals(List.of("2:7"), cpus.delivered());
        assertFalse(imsic.clearPending(0, 5), "read-and-clear: nothing left");
    }

    @Test
    void setPendingThroughTheCsrDeliversAnEnabledIdentity() {
        imsic.setEnabled(2, 33, true);
        imsic.setPending(2, 33);
        assertEquals(List.of("2:33"), cpus.delivered());
    }
}
