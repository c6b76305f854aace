package org.msidomain.provider.dmar.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/** The DMAR storage provider: the fault, invalidation and page-request event interrupts of each unit. */
@Component(service = MsiStorageOps.class, configurationPid = DmarProviderConfiguration.PID,
        property = MsiStorageOps.STORAGE_TYPE + "=dmar")
@Designate(ocd = DmarProviderConfiguration.class)
public final class DmarStorageOps implements MsiStorageOps {

    /**
     * Its only option, the ranking, is a service property: SCR updates the registration in place (no
     * re-activation, no unbinding) and the domain chooses the provider again.
     */
    @Modified
    void modified() {
        // nothing of its own to change
    }

    /** One register lock per unit (Linux's iommu->register_lock), shared by every storage of the unit. */
    private final Map<String, Object> registerLocks = new ConcurrentHashMap<>();

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        if (request.vectors() > maxVectors(device)) {
            throw new IllegalArgumentException(device.id() + " has " + maxVectors(device) + " event interrupts (fault, "
                    + "invalidation, page request), " + request.vectors() + " requested");
        }
        return new DmarEventStorage(device, registerLocks.computeIfAbsent(device.id(), k -> new Object()));
    }

    @Override
    public int maxVectors(HwDevice device) {
        return DmarEventStorage.CONTROL.length;
    }
}
