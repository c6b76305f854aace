package org.msidomain.health.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.msidomain.api.DeviceInfo;

/**
 * Judges the devices' bindings: a device unbound for longer than the limit is a warning (a provider that
 * is being swapped comes back within it), a failed one is critical (its provider threw; only another
 * provider binding recovers it). One log line per device that is not bound, after a summary line.
 */
final class DeviceHealth {

    private DeviceHealth() {
    }

    static Result judge(List<DeviceInfo> devices, Function<String, Optional<Instant>> unboundSince, Instant now,
            Duration warnAfter) {
        ResultLog log = new ResultLog();
        Readiness readiness = Readiness.of(devices); // by device: a device with several storages counts once
        log.add(new ResultLog.Entry(Result.Status.OK, readiness.bound() + "/" + readiness.total() + " devices bound"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (DeviceInfo d : devices) {
            // a secondary storage of a device is named by its type: "00:06.0 ims"
            String who = seen.add(d.id()) ? d.id() : d.id() + " " + d.storageType();
            switch (d.state()) {
                case BOUND -> {
                }
                case FAILED -> log.add(new ResultLog.Entry(Result.Status.CRITICAL,
                        who + " failed " + seconds(since(d, unboundSince, now)) + " ago: " + d.reason()));
                case WAITING -> log.add(new ResultLog.Entry(Result.Status.WARN, who + " waiting: " + d.reason()));
                case UNBOUND -> {
                    Duration unbound = since(d, unboundSince, now);
                    Result.Status status = unbound.compareTo(warnAfter) >= 0 ? Result.Status.WARN : Result.Status.OK;
                    log.add(new ResultLog.Entry(status, who + " unbound for " + seconds(unbound) + " (limit "
                            + seconds(warnAfter) + "): " + d.reason()));
                }
            }
        }
        return new Result(log);
    }

    /** Zero if the device was bound again between the two queries. */
    private static Duration since(DeviceInfo d, Function<String, Optional<Instant>> unboundSince, Instant now) {
        return unboundSince.apply(d.id()).map(t -> Duration.between(t, now)).filter(x -> !x.isNegative())
                .orElse(Duration.ZERO);
    }

    /** Seconds with at most one decimal, locale-independent: {@code 12 s}, {@code 0.5 s}. */
    static String seconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.toMillis() / 100, 1).stripTrailingZeros();
        return (s.signum() == 0 ? "0" : s.toPlainString()) + " s";
    }
}
