package org.msidomain.hw.internal.pci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>Inputs are bounded: only regular files are opened (a FIFO would block the open, {@code /dev/zero}
 * never ends), at most {@value #MAX_FILE} bytes, and a file with no device in it, or a device with fewer
 * bytes than the 64-byte header (lspci would fill the rest with ff), is refused.
 */
public final class DumpReader {

    static final int MAX = 4096;
    /** The largest dump file read: the {@code lspci -xxxx} text of about a thousand functions. */
    public static final int MAX_FILE = 16 << 20;
    static final int HEADER_BYTES = 64;
    private static final Pattern HEADER = Pattern.compile("^((?:[0-9a-fA-F]{4,6}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]) .*");
    private static final Pattern OFFSET = Pattern.compile("^([0-9a-fA-F]{1,8}):(.*)$");
    private static final Pattern NAMED = Pattern.compile("((?:[0-9a-fA-F]{4,6}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7])");

    private DumpReader() {
    }

    public static List<PciDump> read(Path file) throws DumpFormatException {
        return read(file.toString(), load(file, MAX_FILE));
    }

    /**
     * The bytes of a regular file of at most {@code limit} bytes, read without opening anything else: a
     * FIFO, a device or a directory is refused before it is opened.
     *
     * @throws DumpFormatException one line naming the file and the problem
     */
    public static byte[] load(Path file, int limit) throws DumpFormatException {
        if (!Files.exists(file)) {
            throw new DumpFormatException(file + ": cannot read: no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw DumpFormatException.notADump(file + ": not a regular file (a FIFO, a device or a directory is never read)");
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(limit + 1); // a file that grows while read is still bounded
        } catch (IOException e) {
            throw new DumpFormatException(file + ": cannot read: " + e.getMessage());
        }
        if (content.length > limit) {
            throw DumpFormatException.notADump(file + ": larger than the limit of " + describe(limit));
        }
        return content;
    }

    private static String describe(int bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    public static List<PciDump> read(String name, byte[] content) throws DumpFormatException {
        if (content.length == 0) {
            throw new DumpFormatException(name + ": empty file");
        }
        if (content.length > MAX_FILE) {
            throw DumpFormatException.notADump(name + ": larger than the limit of " + describe(MAX_FILE));
        }
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (!isText(content, text)) {
            return readBinary(name, content);
        }
        List<PciDump> read = readText(name, text);
        if (read.isEmpty()) {
            throw DumpFormatException.notADump(name + ": no dump in it (neither a binary config space nor the hex lines of lspci -x)");
        }
        return read;
    }

    /**
     * Text has no control bytes but tab, CR and LF (a config space is full of zeros); bytes above 0x7F
     * are allowed, since comments may carry UTF-8.
     */
    static boolean isText(byte[] content, String text) {
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
                    out.add(device(name, at, bytes, length, header, headerLine));
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
                    out.add(device(name, at, bytes, length, header, headerLine));
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
            out.add(device(name, at, bytes, length, header, headerLine));
        }
        return out;
    }

    /** A device of the text, refused if it does not reach the end of the 64-byte header. */
    private static PciDump device(String name, PciAddress at, byte[] bytes, int length, String header, int line)
            throws DumpFormatException {
        if (length < HEADER_BYTES) {
            throw new DumpFormatException(name + ":" + line + ": " + at + " has " + length + " bytes, less than the "
                    + HEADER_BYTES + "-byte header");
        }
        return new PciDump(at, Arrays.copyOf(bytes, length), header, name + ":" + line);
    }
}
