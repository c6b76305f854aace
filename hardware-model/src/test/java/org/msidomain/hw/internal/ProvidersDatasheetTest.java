package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.WaitingDevice;

/**
 * Keeps the property tables of docs/PROVIDERS.md honest: for every built-in device kind, the keys its datasheet
 * lists (the table after {@code <!-- datasheet-keys: KIND -->}) are exactly the keys the kind accepts. The kind
 * tells them itself: a device entry with a property it does not know waits with one line listing the known ones.
 */
class ProvidersDatasheetTest {

    private static final Path DOC = Path.of("..", "docs", "PROVIDERS.md");
    private static final Pattern MARKER = Pattern.compile("<!-- datasheet-keys: ([a-z]+) -->");
    private static final Pattern KEY_ROW = Pattern.compile("^\\| `([^`]+)` \\|");
    private static final Pattern KNOWN = Pattern.compile("unknown property of kind '([a-z]+)' \\(known: ([^)]*)\\)");
    /** A property no kind has, so each kind's refusal lists what it knows. */
    private static final String UNKNOWN = "zz.not.a.property";

    @Test
    void everyBuiltInKindsDatasheetListsExactlyTheKeysTheKindAccepts() throws IOException {
        Map<String, List<String>> documented = documentedKeys(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        Map<String, List<String>> accepted = acceptedKeys();
        assertEquals(4, accepted.size(), "the four built-in kinds answered: " + accepted.keySet());
        assertEquals(new TreeSet<>(accepted.keySet()), new TreeSet<>(documented.keySet()),
                "a datasheet-keys table for every built-in kind, and none for another");
        accepted.forEach((kind, keys) -> {
            List<String> listed = documented.get(kind);
            assertEquals(listed.size(), new TreeSet<>(listed).size(), kind + ": a key listed twice in " + listed);
            assertEquals(new TreeSet<>(keys), new TreeSet<>(listed),
                    "kind '" + kind + "': keys the kind accepts vs. keys docs/PROVIDERS.md lists");
        });
    }

    /** The keys of the table that follows each marker: the first column of its rows, up to the first non-table line. */
    static Map<String, List<String>> documentedKeys(List<String> lines) {
        Map<String, List<String>> keys = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i).trim());
            if (!marker.matches()) {
                continue;
            }
            List<String> rows = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && lines.get(j).startsWith("|")) {
                Matcher row = KEY_ROW.matcher(lines.get(j));
                if (row.find()) {
                    rows.add(row.group(1));
                }
                j++;
            }
            assertFalse(rows.isEmpty(), "no key rows after " + lines.get(i));
            assertTrue(keys.put(marker.group(1), rows) == null, "two tables for kind " + marker.group(1));
        }
        return keys;
    }

    /** What each built-in kind says it knows, from the line a device with an unknown property waits with. */
    private static Map<String, List<String>> acceptedKeys() {
        String json = "{\"cpus\": 1, \"devices\": ["
                + entry("pci", "05:00.0") + ", " + entry("hpet", "hpet9") + ", " + entry("dmar", "dmar9") + ", "
                + entry("platform", "plat9") + "]}";
        MachineSpec spec = MachineLoader.fromDescription("datasheet.json",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), name -> {
                    throw new IOException("no files");
                });
        SimMachine machine = new SimMachine(spec, BuiltInKinds.services());
        Map<String, List<String>> accepted = new TreeMap<>();
        for (WaitingDevice w : machine.waiting()) {
            Matcher known = KNOWN.matcher(w.reason());
            assertTrue(known.find(), w.name() + " waits for another reason: " + w.reason());
            assertEquals(w.kind(), known.group(1));
            accepted.put(known.group(1), Arrays.stream(known.group(2).split(",")).map(String::trim).toList());
        }
        return accepted;
    }

    private static String entry(String kind, String name) {
        return "{\"kind\": \"" + kind + "\", \"name\": \"" + name + "\", \"properties\": {\"" + UNKNOWN + "\": 1}}";
    }
}
