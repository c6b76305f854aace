package org.msidomain.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;

class DeviceHealthTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Duration LIMIT = Duration.ofMillis(500);

    private static DeviceInfo device(String id, BindingState state, String reason) {
        return new DeviceInfo(id, "pci", state, state == BindingState.UNBOUND ? "" : "org.msidomain.provider.pci", 2,
                reason);
    }

    private static List<String> lines(Result r) {
        List<String> out = new ArrayList<>();
        for (ResultLog.Entry e : r) {
            out.add(e.getStatus() + " " + e.getMessage());
        }
        return out;
    }

    @Test
    void everyDeviceBoundIsOk() {
        Result r = DeviceHealth.judge(List.of(device("00:04.0", BindingState.BOUND, ""), device("hpet/2",
                BindingState.BOUND, "")), id -> Optional.empty(), NOW, LIMIT);
        assertEquals(Result.Status.OK, r.getStatus());
        assertEquals(List.of("OK 2/2 devices bound"), lines(r));
    }

    @Test
    void unboundWithinTheLimitIsOkAndBeyondItWarns() {
        Map<String, Instant> since = Map.of("00:04.0", NOW.minusMillis(499), "00:05.0", NOW.minusMillis(12_345));
        List<DeviceInfo> devices = List.of(device("00:04.0", BindingState.UNBOUND, "its provider left."),
                device("00:05.0", BindingState.UNBOUND, "no provider has been bound."),
                device("00:06.0", BindingState.BOUND, ""));
        Result r = DeviceHealth.judge(devices, id -> Optional.ofNullable(since.get(id)), NOW, LIMIT);
        assertEquals(Result.Status.WARN, r.getStatus());
        assertEquals(List.of("OK 1/3 devices bound", "OK 00:04.0 unbound for 0.4 s (limit 0.5 s): its provider left.",
                "WARN 00:05.0 unbound for 12.3 s (limit 0.5 s): no provider has been bound."), lines(r));

        Result atTheLimit = DeviceHealth.judge(devices.subList(0, 1), id -> Optional.of(NOW.minus(LIMIT)), NOW, LIMIT);
        assertEquals(Result.Status.WARN, atTheLimit.getStatus(), "the limit itself warns");
    }

    @Test
    void aFailedDeviceIsCriticalWhateverElse() {
        List<DeviceInfo> devices = List.of(device("ims0", BindingState.FAILED, "provider x failed on ims0: boom"),
                device("00:04.0", BindingState.UNBOUND, "gone."));
        Result r = DeviceHealth.judge(devices, id -> Optional.of(NOW.minusSeconds(3)), NOW, LIMIT);
        assertEquals(Result.Status.CRITICAL, r.getStatus());
        assertEquals(List.of("OK 0/2 devices bound", "CRITICAL ims0 failed 3 s ago: provider x failed on ims0: boom",
                "WARN 00:04.0 unbound for 3 s (limit 0.5 s): gone."), lines(r));
    }

    @Test
    void aDeviceBoundAgainBetweenTheQueriesCountsZero() {
        Result r = DeviceHealth.judge(List.of(device("00:04.0", BindingState.UNBOUND, "gone.")), id -> Optional.empty(),
                NOW, Duration.ZERO);
        assertEquals(List.of("OK 0/1 devices bound", "WARN 00:04.0 unbound for 0 s (limit 0 s): gone."), lines(r));
    }

    @Test
    void secondsHaveAtMostOneDecimal() {
        assertEquals("30 s", DeviceHealth.seconds(Duration.ofSeconds(30)));
        assertEquals("0.5 s", DeviceHealth.seconds(Duration.ofMillis(560)));
        assertEquals("0 s", DeviceHealth.seconds(Duration.ofMillis(99)));
        assertEquals("120.1 s", DeviceHealth.seconds(Duration.ofMillis(120_100)));
    }

    @Test
    void aWaitingDeviceWarnsAndADeviceWithSeveralStoragesCountsOnceBoundOnlyWhenEachIs() {
        List<DeviceInfo> devices = List.of(device("00:04.0", BindingState.BOUND, ""),
                device("00:06.0", BindingState.BOUND, ""),
                new DeviceInfo("00:06.0", "ims", BindingState.UNBOUND, "", 0, "declined by org.x.a: no IMS slots"),
                new DeviceInfo("nvme0", "", BindingState.WAITING, "", 0, "no bundle provides device kind 'nvme-fake'"));
        Result r = DeviceHealth.judge(devices, id -> Optional.of(NOW.minusSeconds(2)), NOW, LIMIT);
        assertEquals(Result.Status.WARN, r.getStatus());
        assertEquals(List.of("OK 1/3 devices bound",
                "WARN 00:06.0 ims unbound for 2 s (limit 0.5 s): declined by org.x.a: no IMS slots",
                "WARN nvme0 waiting: no bundle provides device kind 'nvme-fake'"), lines(r));
        Readiness ready = Readiness.of(devices);
        assertEquals("ready: no (1/3 devices bound; waiting: 00:06.0, nvme0)", ready.line());
    }
}
