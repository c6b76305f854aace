package org.msidomain.hw.internal.pci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads every {@code DIR/<bdf>/config} of a sysfs-like tree, read-only: nothing is ever written there,
 * and files are only opened for reading. A function whose {@code config} cannot be read or is malformed
 * is left out with one line naming it (a {@code config} that is not a regular file, a FIFO or a device, is
 * never opened); the others are read.
 */
public final class SysfsReader {

    private SysfsReader() {
    }

    /**
     * @param problems where each function left out is reported, one line each
     * @throws DumpFormatException if the directory itself cannot be read
     */
    public static List<PciDump> read(Path dir, List<String> problems) throws DumpFormatException {
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            throw new DumpFormatException(dir + ": not a readable directory");
        }
        List<PciDump> out = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        } catch (IOException e) {
            throw new DumpFormatException(dir + ": cannot read: " + e.getMessage());
        }
        for (Path entry : entries) {
            Path config = entry.resolve("config");
            if (!Files.exists(config)) {
                continue; // not a PCI function's directory
            }
            try {
                // a config space is at most 4096 bytes: a longer file is refused without reading it all
                out.addAll(DumpReader.readBinary(config.toString(), DumpReader.load(config, DumpReader.MAX)));
            } catch (DumpFormatException e) {
                problems.add(e.getMessage());
            }
        }
        return out;
    }
}
