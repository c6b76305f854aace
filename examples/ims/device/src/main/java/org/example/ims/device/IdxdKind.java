package org.example.ims.device;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.osgi.service.component.annotations.Component;

/**
 * The device kind {@code idxd}: Intel DSA functions built from the real config space of a Sapphire Rapids
 * DSA (pciutils' test dump of 6a:01.0, bundled). A machine description names them as
 * {@code {"kind": "idxd", "name": "dsa0", "requesterId": "6a:01.0", "properties": {"ims.mult": 1}}}.
 *
 * <p>Properties: {@code ims.mult}, GENCAP's {@code max_ims_mult} (the IMS slot array holds 256 slots per unit;
 * 0-60, default 1; 0 is a DSA with IMS turned off); {@code pasid}, the PASID its IMS slots carry
 * (0-1048575; none by default).
 */
@Component(property = DeviceKind.KIND + "=" + IdxdKind.KIND)
public final class IdxdKind implements DeviceKind {

    public static final String KIND = "idxd";
    /** The dump's own address, 6a:01.0, used when the entry gives no requester id. */
    private static final int DUMP_REQUESTER_ID = 0x6a << 8 | 1 << 3;
    private static final Set<String> PROPERTIES = Set.of("ims.mult", "pasid");

    private final byte[] dump = LspciDump.resource("dsa-8086-0b25.txt");

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        for (String key : spec.properties().keySet()) {
            if (!PROPERTIES.contains(key)) {
                throw new IllegalArgumentException(spec.name() + ": unknown property " + key + " (idxd takes ims.mult, pasid)");
            }
        }
        int imsMult = number(spec, "ims.mult", "1", 0, 60);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ims.mult", Integer.toString(imsMult));
        properties.put("ims.slots", Integer.toString(256 * imsMult));
        if (spec.properties().containsKey("pasid")) {
            properties.put("pasid", Integer.toString(number(spec, "pasid", "0", 0, 0xFFFFF)));
        }
        int requesterId = spec.requesterId() >= 0 ? spec.requesterId() : DUMP_REQUESTER_ID;
        return new DsaFunction(spec.name(), requesterId, dump, imsMult, properties, port);
    }

    private static int number(DeviceSpec spec, String key, String dflt, int min, int max) {
        String text = spec.property(key, dflt);
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": '" + text + "' is not an integer");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(spec.name() + ": " + key + ": " + min + "-" + max + ", not " + value);
        }
        return value;
    }
}
