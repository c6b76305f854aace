package org.example.ims.provider;

import java.util.Optional;

import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;

/**
 * The storage provider of type {@value #TYPE}: the IMS slot array of Intel DSA functions (device kind
 * {@code idxd}), a secondary storage beside their MSI-X, which the platform's PCI provider serves.
 *
 * <p>A fresh storage masks the slots it is created for (idxd's {@code prepare_desc}, "for paranoia sake")
 * and gives each the PASID word of the device ({@code pasid} property: PASID enable and the PASID); an adopted
 * one writes nothing and takes each live slot's PASID word as it finds it, so nothing is held back or lost
 * while the provider changes. A DSA whose IMS is off (no Scalable IOV DVSEC, SIOVCAP bit 0 clear, or
 * GENCAP max_ims_mult 0) is declined.
 */
@Component(property = MsiStorageOps.STORAGE_TYPE + "=" + IdxdImsOps.TYPE)
public final class IdxdImsOps implements MsiStorageOps {

    public static final String TYPE = "idxd-ims";

    @Override
    public Optional<String> decline(HwDevice device) {
        return DsaDatasheet.whyNoIms(device);
    }

    @Override
    public int maxVectors(HwDevice device) {
        refuseWithoutIms(device);
        return DsaDatasheet.slots(device);
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        refuseWithoutIms(device);
        int slots = DsaDatasheet.slots(device);
        if (request.vectors() > slots) {
            throw new IllegalArgumentException("cannot allocate " + request.vectors() + " IMS slots on " + device.id()
                    + ": its array holds " + slots);
        }
        Mmio bar = device.region(DsaDatasheet.BAR);
        long table = DsaDatasheet.tableOffset(device);
        int[] cval = new int[slots];
        if (request.adopt()) {
            for (int i = 0; i < slots; i++) {
                cval[i] = bar.read32(table + (long) DsaDatasheet.SLOT * i + DsaDatasheet.CTRL) & DsaDatasheet.CTRL_AUX;
            }
        } else {
            int word = pasidWord(device);
            java.util.Arrays.fill(cval, word);
            for (int i = 0; i < request.vectors(); i++) {
                long ctrl = table + (long) DsaDatasheet.SLOT * i + DsaDatasheet.CTRL;
                bar.write32(ctrl, word | DsaDatasheet.CTRL_MASK);
                bar.read32(ctrl);
            }
        }
        return new ImsSlots(bar, table, cval, "PCI-IDXD-" + device.fullName());
    }

    /** The control word's PASID part: the device's PASID with PASID enable, or 0 without one. */
    private static int pasidWord(HwDevice device) {
        String pasid = device.properties().get("pasid");
        if (pasid == null) {
            return 0;
        }
        return Integer.parseInt(pasid) << DsaDatasheet.CTRL_PASID_SHIFT | DsaDatasheet.CTRL_PASID_ENABLE;
    }

    private static void refuseWithoutIms(HwDevice device) {
        Optional<String> why = DsaDatasheet.whyNoIms(device);
        if (why.isPresent()) {
            throw new IllegalArgumentException(device.id() + " has no IMS storage: " + why.get());
        }
    }
}
