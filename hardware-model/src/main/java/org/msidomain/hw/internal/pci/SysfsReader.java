package org.msidomain.hw.internal.pci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads every {@code DIR/<bdf>/config} of a sysfs-like tree, read-only (nothing is ever written there). */
public final class SysfsReader {

    private SysfsReader() {
    }

    public static List<PciDump> read(Path dir) throws DumpFormatException {
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            throw new DumpFormatException(dir + ": not a readable directory");
        }
        List<PciDump> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                Path config = entry.resolve("config");
                if (Files.isReadable(config)) {
                    byte[] bytes = Files.readAllBytes(config);
                    out.addAll(DumpReader.readBinary(config.toString(), bytes));
                }
            }
        } catch (IOException e) {
            throw new DumpFormatException(dir + ": cannot read: " + e.getMessage());
        }
        return out;
    }
}
