package org.msidomain.testkit.selftest;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.selftest.slots.SlotOps;

/** The control: the slot provider without a defect passes the mask and bus-lock checks. */
public class SlotsCorrectIT extends SlotProviderSupport {

    @Override
    protected SlotOps.Mode mode() {
        return SlotOps.Mode.CORRECT;
    }

    @Test
    public void maskAndBusLockPass() throws Exception {
        CheckRow mask = runCheck("mask");
        assertEquals(mask.toString(), CheckRow.PASS, mask.result());
        CheckRow busLock = runCheck("bus-lock");
        assertEquals(busLock.toString(), CheckRow.PASS, busLock.result());
    }
}
