package org.msidomain.hw.internal.pci;

import java.util.ArrayList;
import java.util.List;

import org.msidomain.hw.ConfigSpace;

/**
 * Prints PCI functions as pciutils 3.9.0's {@code lspci} prints a dump ({@code -F}) without an ID database:
 * devices, classes and subsystems by their numbers ({@code Class 0c03: Device 8086:3a34}). With {@code -v}
 * and {@code -vv}: the header's lines ({@link HeaderLines}), every capability line ({@link Capabilities},
 * {@link ExtendedCapabilities}) and the MSI, MSI-X and HyperTransport MSI Mapping blocks in full
 * ({@link MessageCapabilities}), Power Management's ({@link PowerManagementLines}), PCI Express's
 * ({@link ExpressLines}) and those of the extended capabilities {@link ExtendedCapabilities} decodes; the other
 * capabilities' detail lines are left out.
 */
public final class Lspci {

    private Lspci() {
    }

    public static String print(List<PciView> devices, int verbosity) {
        List<PciView> sorted = new ArrayList<>(devices);
        sorted.sort((a, b) -> a.address().compareTo(b.address()));
        boolean domains = sorted.stream().anyMatch(v -> v.address().domain() != 0);
        StringBuilder out = new StringBuilder();
        for (PciView v : sorted) {
            ConfigSpace c = v.config();
            if (c.size() < 64) {
                continue; // pciutils cannot read the standard header either: it reports it on stderr and goes on
            }
            out.append(domains ? v.address().full() : v.address().toString()).append(' ');
            deviceLine(c, verbosity, out);
            if (verbosity > 0) {
                int type = c.read8(0x0E) & 0x7F;
                if (HeaderLines.print(c, verbosity, out)) {
                    Capabilities.print(c, type == 2 ? 0x14 : 0x34, v.address().device(), v.address().function(),
                            verbosity, out);
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The one programming interface libpci names without a database (lib/names.c): an IDE controller's
     * (class 0101) mode bits, unless reserved bits are set; other classes' need pci.ids, so none.
     */
    private static String ideProgIf(int cls, int progIf) {
        if (cls != 0x0101 || (progIf & 0x70) != 0) {
            return null;
        }
        String[] words = { "Master", "SecP", "SecO", "PriP", "PriO" };
        int[] bits = { 0x80, 0x08, 0x04, 0x02, 0x01 };
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            if ((progIf & bits[i]) != 0) {
                name.append(name.length() == 0 ? "" : " ").append(words[i]);
            }
        }
        return name.toString();
    }

    /** lspci.c show_terse: the device line, and with -v the subsystem (get_subid). */
    private static void deviceLine(ConfigSpace c, int verbosity, StringBuilder out) {
        out.append(String.format("Class %04x: Device %04x:%04x", c.read16(0x0A), c.read16(0x00), c.read16(0x02)));
        int rev = c.read8(0x08);
        if (rev != 0) {
            out.append(String.format(" (rev %02x)", rev));
        }
        int progIf = c.read8(0x09);
        String name = ideProgIf(c.read16(0x0A), progIf);
        if (verbosity > 0 && (progIf != 0 || name != null)) {
            out.append(String.format(" (prog-if %02x", progIf)).append(name == null ? "" : " [" + name + "]").append(')');
        }
        out.append('\n');
        if (verbosity > 0) {
            int type = c.read8(0x0E) & 0x7F;
            int subsystem = type == 0 ? 0x2C : type == 2 && c.size() >= 128 ? 0x40 : -1;
            if (type == 1) {
                int ssvid = Capabilities.find(c, 0x0D); // a bridge's subsystem is in its Subsystem capability
                subsystem = ssvid > 0 && Capabilities.present(c, ssvid + 4, 4) ? ssvid + 4 : -1;
            }
            if (subsystem > 0) {
                int vendor = c.read16(subsystem);
                if (vendor != 0 && vendor != 0xFFFF) {
                    out.append(String.format("\tSubsystem: Device %04x:%04x\n", vendor, c.read16(subsystem + 2)));
                }
            }
        }
    }
}
