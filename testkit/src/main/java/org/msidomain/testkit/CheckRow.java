package org.msidomain.testkit;

/**
 * One row of the conformance table.
 *
 * @param check    the check's name ({@code binding}, {@code capacity}, ... as in the table)
 * @param result   {@code PASS}, {@code FAIL} or {@code N/A}
 * @param measured what the check measured (counts, times), or why it failed
 */
public record CheckRow(String check, String result, String measured) {

    public static final String PASS = "PASS";
    public static final String FAIL = "FAIL";
    public static final String NOT_APPLICABLE = "N/A";
}
