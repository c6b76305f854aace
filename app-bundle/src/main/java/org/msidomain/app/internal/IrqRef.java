package org.msidomain.app.internal;

import org.msidomain.api.MsiDomain;

/**
 * Parses an interrupt argument: an irq number, {@code DEVICE/INDEX} such as {@code 00:04.0/2} (the device's
 * default storage), or {@code DEVICE/STORAGE/INDEX} such as {@code 00:04.0/platform/2} (a device name has no
 * {@code /}, so the forms cannot be confused).
 */
final class IrqRef {

    private IrqRef() {
    }

    static int resolve(MsiDomain domain, String ref) {
        int slash = ref.lastIndexOf('/');
        if (slash >= 0) {
            String device = ref.substring(0, slash);
            int index = number(ref.substring(slash + 1), ref);
            int storage = device.indexOf('/');
            return storage < 0 ? domain.irqOf(device, index)
                    : domain.irqOf(device.substring(0, storage), device.substring(storage + 1), index);
        }
        int irq = number(ref, ref);
        if (domain.irq(irq).isEmpty()) {
            throw new IllegalArgumentException("no irq " + irq);
        }
        return irq;
    }

    static int number(String text, String whole) {
        try {
            return Integer.decode(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "' is not an irq number, DEVICE/INDEX or DEVICE/STORAGE/INDEX");
        }
    }
}
