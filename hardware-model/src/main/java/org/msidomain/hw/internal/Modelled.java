package org.msidomain.hw.internal;

import org.msidomain.hw.HwDevice;

/** What the machine hands out for a device, around the kind's own object. */
public interface Modelled {

    /** The device as its kind created it. */
    HwDevice model();

    /** The model behind {@code device} if the machine wrapped it, else {@code device} itself. */
    static HwDevice unwrap(HwDevice device) {
        return device instanceof Modelled m ? m.model() : device;
    }
}
