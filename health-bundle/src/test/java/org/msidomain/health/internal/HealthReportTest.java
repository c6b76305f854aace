package org.msidomain.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;

class HealthReportTest {

    private static Result result(Object... statusAndMessage) {
        ResultLog log = new ResultLog();
        for (int i = 0; i < statusAndMessage.length; i += 2) {
            log.add(new ResultLog.Entry((Result.Status) statusAndMessage[i], (String) statusAndMessage[i + 1]));
        }
        return new Result(log);
    }

    @Test
    void allBoundAndReady() {
        Readiness ready = new Readiness(15, 15, List.of());
        assertTrue(ready.ready());
        assertEquals("health: OK\n  OK 15/15 devices bound\nready: yes (15/15 devices bound)",
                HealthReport.format(List.of(result(Result.Status.OK, "15/15 devices bound")), ready));
    }

    @Test
    void theWorstStatusOfAllChecksHeadsTheirLinesAndDebugLinesAreLeftOut() {
        ResultLog log = new ResultLog();
        log.add(new ResultLog.Entry(Result.Status.OK, "13/15 devices bound"));
        log.add(new ResultLog.Entry("a debug line", true));
        log.add(new ResultLog.Entry(Result.Status.WARN, "00:04.0 unbound for 12 s (limit 0.5 s): gone."));
        Result other = result(Result.Status.CRITICAL, "ims0 failed 1 s ago: boom");
        String text = HealthReport.format(List.of(new Result(log), other), new Readiness(13, 15, List.of("00:04.0", "ims0")));
        assertEquals("health: CRITICAL\n  OK 13/15 devices bound\n  WARN 00:04.0 unbound for 12 s (limit 0.5 s): gone.\n"
                + "  CRITICAL ims0 failed 1 s ago: boom\nready: no (13/15 devices bound; waiting: 00:04.0, ims0)", text);
        assertFalse(text.contains("debug"));
    }

    @Test
    void noCheckIsAWarning() {
        assertEquals("health: WARN\n  WARN no health check is tagged msi\nready: yes (0/0 devices bound)",
                HealthReport.format(List.of(), new Readiness(0, 0, List.of())));
    }

    @Test
    void readinessCountsEveryDeviceNotBound() {
        Readiness r = Readiness.of(List.of(new DeviceInfo("00:04.0", "pci", BindingState.UNBOUND, "", 0, "gone."),
                new DeviceInfo("hpet/2", "hpet", BindingState.BOUND, "p", 1, ""),
                new DeviceInfo("ims0", "platform", BindingState.FAILED, "p", 0, "boom")));
        assertFalse(r.ready());
        assertEquals("ready: no (1/3 devices bound; waiting: 00:04.0, ims0)", r.line());
    }
}
