package org.msidomain.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.msidomain.testkit.CheckRow;

/** The conformance table: one row per check, in the kit's order; written out after every row. */
public final class Report {

    /** The checks, in the table's order. */
    public static final List<String> CHECKS = List.of("binding", "capacity", "delivery", "mask",
            "affinity-under-fire", "bus-lock", "hot-swap", "leaks", "decline");

    private final Map<String, CheckRow> rows = new LinkedHashMap<>();
    private final String header;
    private final Path file;

    Report(String header, Path file) {
        this.header = header;
        this.file = file;
    }

    synchronized void add(CheckRow row) {
        rows.put(row.check(), row);
        String table = table();
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, table);
        } catch (IOException e) {
            System.err.println("msi-testkit: cannot write the report " + file + ": " + e);
        }
        System.out.println("conformance " + format(row));
        if (rows.keySet().containsAll(CHECKS) || row.check().equals(CHECKS.get(CHECKS.size() - 1))) {
            System.out.println();
            System.out.print(table);
            System.out.println();
        }
    }

    public synchronized CheckRow row(String check) {
        return rows.get(check);
    }

    public synchronized String table() {
        StringBuilder b = new StringBuilder(header).append('\n');
        b.append(String.format("%-20s %-6s %s%n", "check", "result", "measured"));
        for (String check : CHECKS) {
            CheckRow r = rows.get(check);
            if (r != null) {
                b.append(format(r)).append('\n');
            }
        }
        return b.toString();
    }

    private static String format(CheckRow r) {
        return String.format("%-20s %-6s %s", r.check(), r.result(), r.measured());
    }
}
