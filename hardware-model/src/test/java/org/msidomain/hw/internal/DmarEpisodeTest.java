package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;

/**
 * A DMAR unit's fault event held while masked (FECTL.IP, VT-d 10.4.10-11) is dropped when software clears the fault
 * status (FSTS, write 1 to clear), as a fault handler called for another reason does: that call serviced the event,
 * so the held message counts as merged with it (one message per status episode), and nothing is sent on unmask.
 */
class DmarEpisodeTest {

    private static final int FSTS = 0x34;
    private static final int FECTL = 0x38;
    private static final int FEDATA = 0x3C;
    private static final int FEADDR = 0x40;
    private static final int IM = 1 << 31;
    private static final int IP = 1 << 30;

    @Test
    void aHeldFaultEventClearedByTheHandlerCountsAsMergedAndIsNotSentOnUnmask() {
        SimMachine machine = new SimMachine(MachineLoader.build(MachineLoader.bundled("default")));
        try {
            List<String> delivered = new ArrayList<>();
            machine.connect(new VectorSink() {
                @Override
                public void accept(int cpu, int vector) {
                    delivered.add(cpu + ":0x" + Integer.toHexString(vector));
                }
            });
            HwDevice dmar = machine.device("dmar0").orElseThrow();
            Mmio regs = dmar.region(0);
            regs.write32(FEDATA, 0x41);
            regs.write32(FEADDR, 0xFEE0_0000 | machine.apicId(0) << 12);
            regs.write32(FECTL, IM);
            long coalesced = machine.coalescedMessages();

            dmar.raise(0);
            assertEquals(IM | IP, regs.read32(FECTL), "masked: the event is held (IP)");
            regs.write32(FSTS, -1); // the handler's write 1 to clear
            assertEquals(IM, regs.read32(FECTL), "clearing the status clears IP");
            assertEquals(1, dmar.merged("dmar", 0), "the held event merged with the call that serviced it");
            assertEquals(coalesced + 1, machine.coalescedMessages());
            regs.write32(FECTL, 0);
            assertEquals(List.of(), delivered, "nothing sent on unmask");

            dmar.raise(0);
            assertEquals(List.of("0:0x41"), delivered, "a new episode sends");
            assertEquals(1, dmar.merged("dmar", 0));
        } finally {
            machine.close();
        }
    }
}
