package org.example.ims.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the config space out of an {@code lspci -xxxx} hex dump ({@code "100: 01 00 02 15 ..."} lines). */
final class LspciDump {

    private LspciDump() {
    }

    /** The bytes of the dump bundled as a resource beside this class. */
    static byte[] resource(String name) {
        try (InputStream in = LspciDump.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the bundle");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] parse(String text, String name) {
        byte[] bytes = new byte[4096];
        int end = 0;
        for (String line : text.split("\n")) {
            if (!line.matches("[0-9a-f]{2,3}:( [0-9a-f]{2})+\\s*")) {
                continue; // a comment or the device's header line ("6a:01.0 Class 0880: ...")
            }
            int colon = line.indexOf(':');
            int at = Integer.parseInt(line.substring(0, colon), 16);
            String[] hex = line.substring(colon + 1).trim().split(" +");
            for (int k = 0; k < hex.length; k++) {
                bytes[at + k] = (byte) Integer.parseInt(hex[k], 16);
            }
            end = Math.max(end, at + hex.length);
        }
        if (end != 256 && end != 4096) {
            throw new IllegalArgumentException(name + ": " + end + " bytes of config space, not 256 or 4096");
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
