package org.msidomain.app.internal;

import org.msidomain.api.MsiDomain;

/** Parses an interrupt argument: an irq number, or {@code DEVICE/INDEX} such as {@code 00:04.0/2}. */
final class IrqRef {

    private IrqRef() {
    }

    static int resolve(MsiDomain domain, String ref) {
        int slash = ref.lastIndexOf('/');
        if (slash >= 0) {
            return domain.irqOf(ref.substring(0, slash), number(ref.substring(slash + 1), ref));
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
            throw new IllegalArgumentException("'" + whole + "' is not an irq number or DEVICE/INDEX");
        }
    }
}
