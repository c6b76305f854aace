package org.msidomain.app.internal;

import java.util.concurrent.atomic.AtomicLongArray;

import org.msidomain.api.IrqHandler;
import org.msidomain.hw.HwDevice;

/**
 * The handlers the main job attaches, as the devices' drivers would: every handler counts; a DMAR
 * unit's handler also clears the event's status register (write 1 to clear, as Linux's dmar_fault
 * does), because the unit sends one message per status episode. Handlers only write registers: a read
 * would wait for the device's in-flight messages, this one included.
 */
final class Drivers {

    /** Status registers of a DMAR unit's event sources, by MSI index: FSTS, ICS, PRS. */
    private static final int[] DMAR_STATUS = { 0x34, 0x9C, 0xDC };

    private Drivers() {
    }

    static IrqHandler handler(HwDevice device, int index, AtomicLongArray delivered, int slot) {
        if (device.storageType().equals("dmar")) {
            int status = DMAR_STATUS[index];
            return (irq, cpu) -> {
                delivered.incrementAndGet(slot);
                device.region(0).write32(status, -1);
            };
        }
        return (irq, cpu) -> delivered.incrementAndGet(slot);
    }
}
