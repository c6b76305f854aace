package org.msidomain.provider.hpet.internal;

import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;

/** The HPET storage provider: one storage per HPET block, MSI index = timer (channel) number. */
@Component(service = MsiStorageOps.class, property = MsiStorageOps.STORAGE_TYPE + "=hpet")
public final class HpetStorageOps implements MsiStorageOps {

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        int timers = maxVectors(device);
        if (request.vectors() > timers) {
            throw new IllegalArgumentException(device.id() + " has " + timers + " timers, " + request.vectors()
                    + " vectors requested");
        }
        return new HpetFsbStorage(device, timers);
    }

    /** NUM_TIM_CAP + 1, from the General Capabilities register. */
    @Override
    public int maxVectors(HwDevice device) {
        return ((device.region(0).read32(0) >> 8) & 0x1F) + 1;
    }
}
