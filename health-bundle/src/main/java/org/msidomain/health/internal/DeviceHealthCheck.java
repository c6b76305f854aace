package org.msidomain.health.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.msidomain.api.MsiDomain;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The Felix health check of the devices' bindings (tag {@code msi}): WARN while a device has had no bound
 * provider for longer than {@code unbound.warn.ms}, CRITICAL while a device's storage failed. The limit is
 * a component property with a default; with Config Admin it is configured under the PID {@value #PID}.
 */
@Component(name = DeviceHealthCheck.PID, configurationPid = DeviceHealthCheck.PID, property = {
    HealthCheck.NAME + "=MSI devices", HealthCheck.TAGS + "=msi",
    "unbound.warn.ms:Long=" + DeviceHealthCheck.DEFAULT_WARN_MS })
@Designate(ocd = DeviceHealthCheck.Config.class)
public final class DeviceHealthCheck implements HealthCheck {

    static final String PID = "org.msidomain.health.devices";
    static final String WARN_KEY = "unbound.warn.ms";
    private static final System.Logger LOG = System.getLogger("org.msidomain.health");
    /** Long enough for a provider update (well under a second here), short enough to notice a stopped one. */
    static final long DEFAULT_WARN_MS = 30_000;

    @ObjectClassDefinition(id = PID, name = "MSI device health check",
            description = "WARN while a device has no bound provider for longer than the limit; CRITICAL when a device's storage failed.")
    public @interface Config {
        @AttributeDefinition(name = "Unbound warning after (ms)", min = "0",
                description = "How long a device may stay without a bound provider before the check warns.")
        long unbound_warn_ms() default DEFAULT_WARN_MS;
    }

    private final MsiDomain domain;
    private final Duration warnAfter;

    /**
     * The limit is read from the raw properties, not through {@link Config} (which describes it for the
     * metatype), so a value that is not a number is refused in one line instead of failing the check.
     */
    @Activate
    public DeviceHealthCheck(@Reference(name = "domain") MsiDomain domain, Map<String, Object> properties) {
        this.domain = domain;
        Millis limit = Millis.read(properties, PID, WARN_KEY, DEFAULT_WARN_MS, 0);
        if (limit.refusal() != null) {
            LOG.log(System.Logger.Level.WARNING, limit.warning());
        }
        this.warnAfter = Duration.ofMillis(limit.value());
    }

    @Override
    public Result execute() {
        try {
            domain.awaitSettled(500); // a provider that just left is processed first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DeviceHealth.judge(domain.devices(), domain::unboundSince, Instant.now(), warnAfter);
    }
}
