package org.msidomain.testkit.selftest;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.selftest.slots.SlotOps;

/** The control: the slot provider without a defect passes the mask, bus-lock and hot-swap checks. */
public class SlotsCorrectIT extends SlotProviderSupport {

    @Override
    protected SlotOps.Mode mode() {
        return SlotOps.Mode.CORRECT;
    }

    @Test
    public void maskBusLockAndHotSwapPass() throws Exception {
        CheckRow mask = runCheck("mask");
        assertEquals(mask.toString(), CheckRow.PASS, mask.result());
        CheckRow busLock = runCheck("bus-lock");
        assertEquals(busLock.toString(), CheckRow.PASS, busLock.result());
        CheckRow hotSwap = runCheck("hot-swap");
        assertEquals(hotSwap.toString(), CheckRow.PASS, hotSwap.result());
    }
}
