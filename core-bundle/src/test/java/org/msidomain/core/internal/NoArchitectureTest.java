package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The core knows no interrupt architecture (as Linux's kernel/irq/msi.c): no APIC, x86, GIC or IMSIC code or
 * constant in its sources, the 0xFEE window included. Comments may cite Linux's x86 functions; code and string
 * literals may not name an architecture.
 */
class NoArchitectureTest {

    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern FORBIDDEN = Pattern.compile(
            "(?i:apic|x86|gic|imsic|irte|remap|0x0*fee|\\b4276092928\\b|0xff\\b|\\b0x20\\b|\\b0xef\\b)|\\bITS\\b|\\bLPI\\b|\\b255\\b");

    @Test
    void theCoreSourcesNameNoArchitecture() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the core-bundle module: " + root.toAbsolutePath());
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path file : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String code = COMMENT.matcher(Files.readString(file)).replaceAll(" ");
                Matcher m = FORBIDDEN.matcher(code);
                while (m.find()) {
                    int line = code.substring(0, m.start()).split("\n", -1).length;
                    found.add(root.relativize(file) + ":" + line + ": " + m.group());
                }
            }
        }
        assertTrue(files > 20, "the core's sources were read: " + files);
        assertEquals(List.of(), found);
    }
}
