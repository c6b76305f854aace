package org.msidomain.hw.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.internal.pci.PciAddress;

/**
 * The source ids of the sources that are not PCI functions. The HPET's is the one of a DMAR unit's HPET device
 * scope (ACPI DMAR device scope type 4, "MSI-capable HPET", whose bus and path Linux keeps in {@code ir_hpet}
 * for {@code set_hpet_sid}): the {@code dmar} kind's {@value #HPET_SOURCE_ID}; a remapping unit that declares
 * none has the HPET at {@code 00:1f.0}, the LPC bridge's address, as the DMAR tables of Intel boards declare it
 * (beside the I/O APIC at {@code f0:1f.0}). QEMU's DMAR table has no HPET scope and its HPET writes carry no
 * requester id, so it is no model here. Every HPET without a requester id of its own carries the scope's on its
 * writes; a platform device carries the one its entry gives.
 */
final class SourceIds {

    static final String HPET_SOURCE_ID = "hpetSourceId";
    /** 00:1f.0. */
    static final int DEFAULT_HPET = 0x1f << 3;
    private static final Pattern BDF = Pattern.compile("[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]");

    private SourceIds() {
    }

    /**
     * The specs with each HPET's requester id set from the HPET scope, if it has none of its own.
     *
     * @throws IllegalArgumentException a unit's {@value #HPET_SOURCE_ID} that is not {@code bb:dd.f}
     */
    static List<DeviceSpec> assign(List<DeviceSpec> described) {
        int scope = hpetScope(described);
        if (scope < 0) {
            return described;
        }
        List<DeviceSpec> specs = new ArrayList<>(described.size());
        for (DeviceSpec d : described) {
            specs.add("hpet".equals(d.kind()) && d.requesterId() < 0
                    ? new DeviceSpec(d.kind(), d.name(), scope, d.properties(), d.base()) : d);
        }
        return List.copyOf(specs);
    }

    /** The first declared HPET scope; else 00:1f.0 if a unit remaps; else -1 (no scope: the HPET has no id). */
    static int hpetScope(List<DeviceSpec> described) {
        boolean remapping = false;
        for (DeviceSpec d : described) {
            if (!"dmar".equals(d.kind())) {
                continue;
            }
            String v = d.properties().get(HPET_SOURCE_ID);
            if (v != null) {
                if (!BDF.matcher(v.trim()).matches()) {
                    throw new IllegalArgumentException(d.name() + ": " + HPET_SOURCE_ID + ": '" + v + "' is not a requester id bb:dd.f");
                }
                return PciAddress.parse(v.trim()).requesterId();
            }
            String irt = d.properties().getOrDefault("irtSize", "0").trim();
            remapping |= !irt.equals("0") && !irt.isEmpty();
        }
        return remapping ? DEFAULT_HPET : -1;
    }
}
