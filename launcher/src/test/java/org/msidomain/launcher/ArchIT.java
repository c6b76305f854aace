package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.msidomain.launcher.LauncherIT.Run;

/** {@code --arch}: the bundled machine of an architecture, here the GICv3 ITS one with its embedded parent bundle. */
class ArchIT {

    /**
     * The N1SDP root port (a real ARM dump) programmed on the ITS machine: chip ITS-PCI-MSI (Linux's
     * {@code msi_parent_ops.prefix} "ITS-"), five interrupts delivered, and lspci's Address the ITS's GITS_TRANSLATER
     * (base 0x08080000 + 0x10040) with Data the EventID 0.
     */
    @Test
    void theItsMachineProgramsTheN1sdpRootPortWithTheTranslater() throws Exception {
        Run run = LauncherIT.launch("--arch", "arm64-gicv3-its", "-c",
                "msi:alloc 00:00.0 1 msi; msi:fire 00:00.0 0 5; msi:interrupts; msi:lspci -vv -s 00:00.0");
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.contains("00:00.0/0: fired 5\n"), out);
        Matcher row = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) ITS-PCI-MSI-0000:00:00\\.0\\s+0-edge")
                .matcher(out);
        assertTrue(row.find(), out);
        long sum = 0;
        for (int g = 1; g <= 4; g++) {
            sum += Long.parseLong(row.group(g));
        }
        assertEquals(5, sum, "delivered: " + out);
        assertTrue(out.contains("Capabilities: [90] MSI: Enable+ Count=1/1 Maskable+ 64bit+\n"
                + "\t\tAddress: 0000000008090040  Data: 0000\n"), out);
    }

    @Test
    void anUnknownArchIsOneLineWithTheAllowedOnes() throws Exception {
        Run run = LauncherIT.launch("--arch", "sparc", "-c", "lb");
        assertEquals(2, run.exit());
        assertEquals(List.of("msi-launcher: --arch sparc: not an architecture (x86, arm64-gicv3-its, arm64-gicv2m, "
                + "riscv-aia-imsic)"), run.err().lines().toList());
        assertEquals("", run.out());
    }
}
