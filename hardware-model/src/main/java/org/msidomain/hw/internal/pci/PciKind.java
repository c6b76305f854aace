package org.msidomain.hw.internal.pci;

import java.util.HexFormat;
import java.util.List;

import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.BuiltInKinds;
import org.msidomain.hw.internal.MachinePort;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@value #NAME}: a PCI function, named by its address ({@code bb:dd.f}). Properties: {@code config}
 * (its config space as hex bytes) or {@code dump} (a dump file of one function, resolved against the
 * description's directory; binary or {@code lspci -x} text); {@code owner}: {@code os} (default) or
 * {@code hypervisor} (the machine's hypervisor programs its MSI-X table); {@code ims.slots} (1-2048) and
 * {@code ims.bar}: an IMS slot array at offset 0 of that memory BAR, a secondary storage of type
 * {@code platform} beside MSI/MSI-X.
 */
@Component(service = DeviceKind.class, property = { DeviceKind.KIND + "=" + PciKind.NAME,
        BuiltInKinds.BUILT_IN + ":Boolean=true" })
public final class PciKind implements DeviceKind {

    public static final String NAME = "pci";
    private static final List<String> KEYS = List.of("config", "dump", "owner", "ims.slots", "ims.bar");

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        MachinePort machine = MachinePort.of(port);
        BuiltInKinds.known(spec, KEYS);
        PciAddress address;
        try {
            address = PciAddress.parse(spec.name());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(spec.name() + ": a pci device is named by its address bb:dd.f");
        }
        String owner = spec.property("owner", "os");
        if (!owner.equals("os") && !owner.equals("hypervisor")) {
            throw new IllegalArgumentException(spec.name() + ": owner: '" + owner + "' is neither os nor hypervisor");
        }
        int imsSlots = BuiltInKinds.integer(spec, "ims.slots", 0, 1, 2048);
        int imsBar = BuiltInKinds.integer(spec, "ims.bar", -1, 0, 5);
        if ((imsSlots == 0) != (imsBar < 0)) {
            String missing = imsSlots == 0 ? "ims.slots" : "ims.bar";
            throw new IllegalArgumentException(spec.name() + ": " + missing + ": missing (an IMS slot array needs "
                    + "ims.slots and ims.bar)");
        }
        byte[] bytes = bytes(spec);
        PciDump dump = new PciDump(address, bytes, "", spec.name());
        return new PciFunction(dump, machine, owner.equals("hypervisor") ? machine.hypervisor() : null, imsSlots,
                imsBar);
    }

    private static byte[] bytes(DeviceSpec spec) {
        String hex = spec.properties().get("config");
        String file = spec.properties().get("dump");
        if ((hex == null) == (file == null)) {
            throw new IllegalArgumentException(spec.name() + ": a pci device has either config or dump");
        }
        byte[] bytes;
        if (hex != null) {
            try {
                bytes = HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(spec.name() + ": config: not hex bytes (" + e.getMessage() + ")");
            }
        } else {
            java.nio.file.Path path = spec.base().resolve(file);
            List<PciDump> read;
            try {
                byte[] content = DumpReader.load(path, DumpReader.MAX_FILE);
                String text = new String(content, java.nio.charset.StandardCharsets.ISO_8859_1);
                // a binary config space needs no address in its file name: the device's name is its address
                read = content.length > 0 && !DumpReader.isText(content, text)
                        ? List.of(new PciDump(PciAddress.parse(spec.name()), content, "", path.toString()))
                        : DumpReader.read(path.toString(), content);
            } catch (DumpFormatException e) {
                throw new IllegalArgumentException(spec.name() + ": dump: " + e.getMessage());
            }
            if (read.size() != 1) {
                throw new IllegalArgumentException(spec.name() + ": dump: " + file + " has " + read.size()
                        + " functions; a pci device takes one");
            }
            bytes = read.get(0).bytes();
        }
        if (bytes.length < DumpReader.HEADER_BYTES || bytes.length > DumpReader.MAX) {
            throw new IllegalArgumentException(spec.name() + ": config: " + bytes.length
                    + " bytes; a config space has 64-4096");
        }
        return bytes;
    }
}
