package org.msidomain.hw.internal.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PCI config-space dumps: binary files (a copy of sysfs {@code config}, 64 to 4096 bytes, the
 * address taken from the file or directory name) and the hex text of {@code lspci -x/-xxx/-xxxx},
 * one or many devices per file, with the rules of pciutils' lib/dump.c: a header line
 * {@code [domain:]bb:dd.f } (trailing space mandatory) starts a device, {@code offset: xx xx ...}
 * lines add bytes, an empty line ends it, other lines are ignored, and a malformed hex line refuses
 * the whole file.
 */
public final class DumpReader {

    static final int MAX = 4096;
    private static final Pattern HEADER = Pattern.compile("^((?:[0-9a-fA-F]{4,6}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]) .*");
    private static final Pattern OFFSET = Pattern.compile("^([0-9a-fA-F]{1,8}):(.*)$");
    private static final Pattern NAMED = Pattern.compile("((?:[0-9a-fA-F]{4,6}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7])");

    private DumpReader() {
    }

    public static List<PciDump> read(Path file) throws DumpFormatException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DumpFormatException(file + ": cannot read: " + e.getMessage());
        }
        return read(file.toString(), content);
    }

    public static List<PciDump> read(String name, byte[] content) throws DumpFormatException {
        if (content.length == 0) {
            throw new DumpFormatException(name + ": empty file");
        }
        String text = new String(content, StandardCharsets.ISO_8859_1);
        return isText(content, text) ? readText(name, text) : readBinary(name, content);
    }

    /**
     * Text has no control bytes but tab, CR and LF (a config space is full of zeros); bytes above 0x7F
     * are allowed, since comments may carry UTF-8.
     */
    private static boolean isText(byte[] content, String text) {
        for (byte b : content) {
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return !text.isEmpty();
    }

    static List<PciDump> readBinary(String name, byte[] content) throws DumpFormatException {
        if (content.length > MAX) {
            throw new DumpFormatException(name + ": " + content.length + " bytes is more than the 4096 of a config space");
        }
        if (content.length < 64) {
            throw new DumpFormatException(name + ": " + content.length + " bytes is less than the 64-byte header");
        }
        Matcher m = NAMED.matcher(Path.of(name).getFileName().toString());
        Path parent = Path.of(name).getParent();
        if (!m.find() && (parent == null || !(m = NAMED.matcher(parent.getFileName().toString())).find())) {
            throw new DumpFormatException(name + ": the device address is not in the file name (name it like 0000:00:04.0.bin)");
        }
        return List.of(new PciDump(PciAddress.parse(m.group(1)), content.clone(), "", name));
    }

    private static List<PciDump> readText(String name, String text) throws DumpFormatException {
        List<PciDump> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        PciAddress at = null;
        String header = "";
        int headerLine = 0;
        byte[] bytes = null;
        int length = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                if (at != null && length > 0) {
                    out.add(new PciDump(at, java.util.Arrays.copyOf(bytes, length), header, name + ":" + headerLine));
                }
                at = PciAddress.parse(h.group(1));
                header = line;
                headerLine = i + 1;
                bytes = new byte[MAX];
                length = 0;
                continue;
            }
            if (line.isEmpty()) {
                if (at != null && length > 0) {
                    out.add(new PciDump(at, java.util.Arrays.copyOf(bytes, length), header, name + ":" + headerLine));
                }
                at = null;
                continue;
            }
            Matcher o = OFFSET.matcher(line);
            if (at == null || !o.matches()) {
                continue; // -vv text, comments: ignored as lspci does
            }
            long offset = Long.parseLong(o.group(1), 16); // the regex bounds the digits, not the value
            if (offset >= MAX) {
                throw new DumpFormatException(name + ":" + (i + 1) + ": offset beyond 4096 bytes");
            }
            String rest = o.group(2);
            if (rest.endsWith(" ")) {
                rest = rest.substring(0, rest.length() - 1); // one trailing space is accepted
            }
            if (!rest.matches("( [0-9a-fA-F]{2})+")) {
                throw new DumpFormatException(name + ":" + (i + 1) + ": malformed line");
            }
            for (int k = 1; k < rest.length(); k += 3) {
                int pos = (int) offset + k / 3;
                if (pos >= MAX) {
                    throw new DumpFormatException(name + ":" + (i + 1) + ": offset beyond 4096 bytes");
                }
                bytes[pos] = (byte) Integer.parseInt(rest.substring(k, k + 2), 16);
                length = Math.max(length, pos + 1);
            }
        }
        if (at != null && length > 0) {
            out.add(new PciDump(at, java.util.Arrays.copyOf(bytes, length), header, name + ":" + headerLine));
        }
        return out;
    }
}
