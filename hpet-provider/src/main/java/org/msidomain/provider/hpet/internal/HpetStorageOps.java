package org.msidomain.provider.hpet.internal;

import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/** The HPET storage provider: one storage per HPET block, MSI index = timer (channel) number. */
@Component(service = MsiStorageOps.class, configurationPid = HpetProviderConfiguration.PID,
        property = MsiStorageOps.STORAGE_TYPE + "=hpet")
@Designate(ocd = HpetProviderConfiguration.class)
public final class HpetStorageOps implements MsiStorageOps {

    /**
     * Its only option, the ranking, is a service property: SCR updates the registration in place (no
     * re-activation, no unbinding) and the domain chooses the provider again.
     */
    @Modified
    void modified() {
        // nothing of its own to change
    }

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
