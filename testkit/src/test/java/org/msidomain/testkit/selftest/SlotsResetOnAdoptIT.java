package org.msidomain.testkit.selftest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.selftest.slots.SlotOps;

/**
 * A provider that clears the live messages when it takes a device over (instead of adopting them): events the
 * device fires until the domain restores its messages go nowhere, and the kit's hot-swap check fails.
 */
public class SlotsResetOnAdoptIT extends SlotProviderSupport {

    @Override
    protected SlotOps.Mode mode() {
        return SlotOps.Mode.RESETS_ON_ADOPT;
    }

    @Test
    public void hotSwapCheckFails() throws Exception {
        CheckRow row = runCheck("hot-swap");
        assertEquals(row.toString(), CheckRow.FAIL, row.result());
        assertTrue(row.toString(), row.measured().contains("lost"));
    }
}
