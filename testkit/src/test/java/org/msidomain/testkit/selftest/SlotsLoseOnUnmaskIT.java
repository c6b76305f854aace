package org.msidomain.testkit.selftest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.selftest.slots.SlotOps;

/** A provider whose unmask loses the latched event: the kit's mask check fails and says why. */
public class SlotsLoseOnUnmaskIT extends SlotProviderSupport {

    @Override
    protected SlotOps.Mode mode() {
        return SlotOps.Mode.LOSES_ON_UNMASK;
    }

    @Test
    public void maskCheckFails() throws Exception {
        CheckRow row = runCheck("mask");
        assertEquals(row.toString(), CheckRow.FAIL, row.result());
        assertTrue(row.toString(), row.measured().startsWith("ims0/0: 2 events raised while masked, none delivered on unmask"));
    }
}
