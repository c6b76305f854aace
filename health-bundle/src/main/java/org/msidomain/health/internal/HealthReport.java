package org.msidomain.health.internal;

import java.util.List;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;

/**
 * The text of {@code msi:health}, a stable format for scripts:
 *
 * <pre>
 * health: STATUS
 *   STATUS message
 *   ...
 * ready: yes (15/15 devices bound)
 * </pre>
 *
 * The first line has the worst status of the checks tagged {@code msi} (Felix's OK, WARN,
 * TEMPORARILY_UNAVAILABLE, CRITICAL, HEALTH_CHECK_ERROR); then each check's log lines (debug lines left
 * out), two spaces, the line's status, one space and the message; the last line is the readiness.
 */
final class HealthReport {

    private HealthReport() {
    }

    static String format(List<Result> results, Readiness readiness) {
        StringBuilder out = new StringBuilder();
        if (results.isEmpty()) {
            out.append("health: ").append(Result.Status.WARN).append('\n');
            out.append("  ").append(Result.Status.WARN).append(" no health check is tagged msi\n");
        } else {
            Result.Status worst = Result.Status.OK;
            for (Result r : results) {
                worst = r.getStatus().ordinal() > worst.ordinal() ? r.getStatus() : worst;
            }
            out.append("health: ").append(worst).append('\n');
            for (Result r : results) {
                for (ResultLog.Entry e : r) {
                    if (!e.isDebug()) {
                        out.append("  ").append(e.getStatus()).append(' ').append(e.getMessage()).append('\n');
                    }
                }
            }
        }
        return out.append(readiness.line()).toString();
    }
}
