package org.example.ntb.provider;

import static org.example.ntb.provider.NtbRegs.*;

import java.util.Optional;

import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.osgi.service.component.annotations.Component;

/**
 * Storage type {@code ntb-peer}: the MSI storage of a non-transparent bridge, on its peer. A bridge can hand as
 * many vectors as its scratchpads carry (SPAD0 and a pair per vector) and its peer raises.
 */
@Component(property = MsiStorageOps.STORAGE_TYPE + "=ntb-peer")
public class NtbPeerStorageOps implements MsiStorageOps {

    @Override
    public Optional<String> decline(HwDevice device) {
        Mmio regs;
        try {
            regs = device.region(0);
        } catch (IllegalArgumentException e) {
            return Optional.of("no register region 0");
        }
        int id = regs.read32(ID);
        if (id != ID_VALUE) {
            return Optional.of(String.format("not an NTB bridge of this datasheet (ID 0x%08x)", id));
        }
        int spads = regs.read32(SPAD_COUNT);
        if (spads < 3) {
            return Optional.of("no scratchpads to hand a vector to the peer (" + spads + ", needs 3)");
        }
        if (regs.read32(MW_SIZE) == 0) {
            return Optional.of("no memory window from the peer into the message window");
        }
        return Optional.empty();
    }

    @Override
    public int maxVectors(HwDevice device) {
        decline(device).ifPresent(why -> {
            throw new IllegalArgumentException(device.id() + ": " + why);
        });
        Mmio regs = device.region(0);
        return Math.min((regs.read32(SPAD_COUNT) - 1) / 2, regs.read32(PEER_VECTORS));
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        int max = maxVectors(device);
        if (request.vectors() > max) {
            throw new IllegalArgumentException(device.id() + ": " + request.vectors() + " vectors asked, its scratchpads hand "
                    + max + " to the peer");
        }
        if (!request.variant().isEmpty() && !request.variant().equals("ntb-peer")) {
            throw new IllegalArgumentException(device.id() + ": unknown variant '" + request.variant() + "' (ntb-peer has one)");
        }
        Mmio regs = device.region(0);
        long window = regs.read32(MW_SIZE) & 0xFFFF_FFFFL;
        long base = translation(regs);
        if (!request.adopt() || base == 0) {
            // ntb_msi_setup_mws: the window translates into the message window, aligned to the window size
            long aligned = MESSAGE_WINDOW & -window;
            regs.write32(MW_XLAT_HI, (int) (aligned >>> 32));
            regs.write32(MW_XLAT_LO, (int) aligned);
            base = translation(regs);
        }
        if (!request.adopt()) {
            regs.write32(spad(0), NONE); // nothing handed until enable
            for (int i = 0; i < max; i++) {
                regs.write32(offsetSpad(i), NONE);
            }
        } // adopting: the peer keeps what it was handed; the domain's restore hands the same pairs again
        return new NtbPeerStorage(regs, "NTB-MSI-" + device.fullName(), max, base, window);
    }

    private static long translation(Mmio regs) {
        return (regs.read32(MW_XLAT_LO) & 0xFFFF_FFFFL) | ((long) regs.read32(MW_XLAT_HI) << 32);
    }
}
