package org.msidomain.testkit.selftest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.msidomain.testkit.CheckRow;
import org.msidomain.testkit.selftest.slots.SlotOps;

/** A provider that declares BUS_LOCK but writes under the lock: the kit's bus-lock check fails and says why. */
public class SlotsWriteThroughLockIT extends SlotProviderSupport {

    @Override
    protected SlotOps.Mode mode() {
        return SlotOps.Mode.WRITES_THROUGH_LOCK;
    }

    @Test
    public void busLockCheckFails() throws Exception {
        CheckRow row = runCheck("bus-lock");
        assertEquals(row.toString(), CheckRow.FAIL, row.result());
        assertTrue(row.toString(), row.measured().contains("the message reached the device before unlock"));
    }
}
