package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * Keeps docs/SCENARIOS.md honest: every {@code Class#method} it names is a test method of that class, in the file
 * its index gives (a source scan: the method is declared there with a test annotation); every row of its two
 * scenario tables names a test or says it is in progress; the reference's table has exactly rows 1 to 25.
 */
class ScenariosDocTest {

    private static final Path ROOT = Path.of("..");
    private static final Path DOC = ROOT.resolve("docs").resolve("SCENARIOS.md");
    private static final Pattern REF = Pattern.compile("`([A-Z][A-Za-z0-9]*)#([a-z][A-Za-z0-9]*)`");
    private static final Pattern INDEX_ROW = Pattern.compile("^\\| `([A-Z][A-Za-z0-9]*)` \\| `([^`]+\\.java)` \\|$");
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\|.*");
    private static final Pattern ANNOTATION = Pattern.compile("^@([A-Za-z0-9_.]+)");
    /** JUnit 4 and 5, jqwik and Jazzer: what the build runs as a test. */
    private static final List<String> TEST_ANNOTATIONS = List.of("Test", "ParameterizedTest", "RepeatedTest", "Property",
            "FuzzTest");

    private static List<String> doc() throws IOException {
        return Files.readAllLines(DOC, StandardCharsets.UTF_8);
    }

    @Test
    void everyTestNamedIsATestMethodOfItsClassAtThePathTheIndexGives() throws IOException {
        List<String> lines = doc();
        Map<String, String> index = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (String line : lines) {
            Matcher row = INDEX_ROW.matcher(line);
            if (row.matches() && index.put(row.group(1), row.group(2)) != null) {
                problems.add("class " + row.group(1) + " is in the index twice");
            }
        }
        Set<String> named = new LinkedHashSet<>();
        Set<String> classes = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher ref = REF.matcher(line);
            while (ref.find()) {
                named.add(ref.group(1) + "#" + ref.group(2));
                classes.add(ref.group(1));
            }
        }
        assertTrue(named.size() > 100, "the page names its tests: " + named.size());
        for (String cls : classes) {
            String path = index.get(cls);
            if (path == null) {
                problems.add(cls + " is named but not in the index of test classes");
                continue;
            }
            Path file = ROOT.resolve(path);
            if (!Files.isRegularFile(file) || !file.getFileName().toString().equals(cls + ".java")) {
                problems.add(cls + ": no file " + path);
            }
        }
        for (String cls : index.keySet()) {
            if (!classes.contains(cls)) {
                problems.add(cls + " is in the index but no row names a test of it");
            }
        }
        for (String ref : named) {
            String cls = ref.substring(0, ref.indexOf('#'));
            String method = ref.substring(ref.indexOf('#') + 1);
            String path = index.get(cls);
            Path file = path == null ? null : ROOT.resolve(path);
            if (file == null || !Files.isRegularFile(file)) {
                continue; // reported above
            }
            List<String> source = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (source.stream().noneMatch(l -> l.matches(".*\\b(class|interface)\\s+" + cls + "\\b.*"))) {
                problems.add(path + " does not declare class " + cls);
            }
            String problem = testMethod(source, method);
            if (problem != null) {
                problems.add(ref + ": " + problem);
            }
        }
        assertEquals(List.of(), problems, "docs/SCENARIOS.md names tests that are not there");
    }

    /** Null if {@code method} is declared in the source with a test annotation above it, else why not. */
    static String testMethod(List<String> source, String method) {
        Pattern declaration = Pattern.compile("^\\s*(public\\s+|protected\\s+)?void\\s+" + method + "\\s*\\(.*");
        List<Integer> at = IntStream.range(0, source.size()).filter(i -> declaration.matcher(source.get(i)).matches())
                .boxed().toList();
        if (at.isEmpty()) {
            return "no method of that name";
        }
        if (at.size() > 1) {
            return "declared " + at.size() + " times";
        }
        for (int i = at.get(0) - 1; i >= 0 && source.get(i).trim().startsWith("@"); i--) {
            Matcher a = ANNOTATION.matcher(source.get(i).trim());
            if (a.find()) {
                String name = a.group(1).substring(a.group(1).lastIndexOf('.') + 1);
                if (TEST_ANNOTATIONS.contains(name)) {
                    return null;
                }
            }
        }
        return "declared without a test annotation (" + String.join(", ", TEST_ANNOTATIONS) + ")";
    }

    @Test
    void everyScenarioRowNamesATestOrSaysItIsInProgressAndTheReferencesAreOneTo25() throws IOException {
        List<String> lines = doc();
        List<Integer> reference = rows(lines, "<!-- scenarios: reference -->");
        List<Integer> added = rows(lines, "<!-- scenarios: added -->");
        assertEquals(IntStream.rangeClosed(1, 25).boxed().toList(), reference, "section 9's scenarios, in order");
        assertEquals(IntStream.rangeClosed(26, 25 + added.size()).boxed().toList(), added,
                "the project's scenarios numbered on from 26");
        List<String> bare = new ArrayList<>();
        for (String line : lines) {
            if (ROW.matcher(line).matches() && !REF.matcher(line).find() && !line.contains("in progress")) {
                bare.add(line.substring(0, Math.min(80, line.length())));
            }
        }
        assertEquals(List.of(), bare, "rows that name no test and are not in progress (those belong in Not covered)");
    }

    /** The scenario numbers of the table that follows a marker, in order. */
    private static List<Integer> rows(List<String> lines, String marker) {
        int start = lines.indexOf(marker);
        assertTrue(start >= 0, "no " + marker + " in " + DOC);
        List<Integer> numbers = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher row = ROW.matcher(lines.get(i));
            if (row.matches()) {
                numbers.add(Integer.parseInt(row.group(1)));
            }
        }
        assertTrue(!numbers.isEmpty(), "no rows after " + marker);
        return numbers;
    }
}
