package org.msidomain.hw.internal.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What of pciutils 3.9.0's output the model prints: everything {@code lspci -F DUMP [-v|-vv]} prints without
 * an ID database ({@code -i EMPTY -O hwdb.disable=1}, so ids are printed as numbers) except the detail lines of
 * capabilities the model does not decode (it decodes MSI, MSI-X, HyperTransport MSI Mapping, Power Management,
 * PCI Express, Advanced Error Reporting, ACS, ARI, ATS, SR-IOV, PRI, LTR, Secondary PCI Express, PASID, DPC, Virtual
 * Channel, Resizable BAR, TPH, L1 PM Substates, PTM, Root Complex Link, RCEC Endpoint Association, PCI Advanced
 * Features and Enhanced Allocation): the lines indented by two tabs or more that follow any other
 * {@code Capabilities:} line (VPD, HyperTransport other than MSI Mapping, DVSEC, DOE, vendor-specific),
 * which the model does not decode. Every other line, the device line, {@code Subsystem:}, {@code Control:},
 * {@code Status:}, {@code Latency:}, {@code Interrupt:}, {@code Region}, the bridge windows and every
 * {@code Capabilities:} line in full, must be identical byte for byte, in the same order.
 */
final class PciutilsOutput {

    /** The capabilities whose detail lines the model prints. */
    private static final Pattern DETAILED = Pattern.compile(
            "^\\[[0-9a-f]+( v[0-9]+)?\\] (MSI: |MSI-X: |HyperTransport: MSI Mapping |Power Management version |Express "
                    + "|Advanced Error Reporting$|Access Control Services$|Alternative Routing-ID Interpretation \\(ARI\\)$"
                    + "|Address Translation Service \\(ATS\\)$|Single Root I/O Virtualization \\(SR-IOV\\)$"
                    + "|Page Request Interface \\(PRI\\)$|Latency Tolerance Reporting$|Secondary PCI Express$"
                    + "|Process Address Space ID \\(PASID\\)$|Downstream Port Containment$|Virtual Channel$"
                    + "|Physical Resizable BAR$|Virtual Resizable BAR$|Transaction Processing Hints$|L1 PM Substates$"
                    + "|Precision Time Measurement$|Root Complex Link$|Root Complex Event Collector Endpoint Association$"
                    + "|PCI Advanced Features$|Enhanced Allocation \\(EA\\): ).*");

    private PciutilsOutput() {
    }

    /** pciutils' output without the detail lines the model leaves out. */
    static String comparable(String pciutils) {
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        for (String line : pciutils.split("\n", -1)) {
            if (line.startsWith("\tCapabilities: ")) {
                // a capability pciutils prints nothing for (PCI-X in a CardBus bridge) shares its line with the next
                String last = line.substring(line.lastIndexOf("Capabilities: ") + "Capabilities: ".length());
                skipping = !DETAILED.matcher(last).matches();
            } else if (!line.startsWith("\t\t")) {
                skipping = false;
            } else if (skipping) {
                continue;
            }
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /** The lines of two outputs that differ, as "pciutils: ... / model: ..." pairs (empty if identical). */
    static List<String> differences(String pciutils, String model) {
        List<String> expected = pciutils.lines().toList();
        List<String> actual = model.lines().toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "<none>";
            String a = i < actual.size() ? actual.get(i) : "<none>";
            if (!e.equals(a)) {
                out.add("line " + (i + 1) + "\n  pciutils: " + e + "\n  model:    " + a);
            }
        }
        if (out.isEmpty() && !pciutils.equals(model)) {
            out.add("line ends differ");
        }
        return out;
    }

    /** The number of lines of pciutils' output the model leaves out. */
    static long leftOut(String pciutils) {
        return pciutils.lines().count() - comparable(pciutils).lines().count();
    }
}
