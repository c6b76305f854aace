package org.msidomain.health.internal;

import java.util.List;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code msi:health}: the health checks tagged {@code msi}, run now through Felix's executor, and the readiness. */
@Component(service = HealthCommand.class, property = { "osgi.command.scope=msi", "osgi.command.function=health" })
public final class HealthCommand {

    private final HealthCheckExecutor executor;
    private final ReadinessCondition readiness;

    @Activate
    public HealthCommand(@Reference(name = "executor") HealthCheckExecutor executor,
            @Reference(name = "readiness") ReadinessCondition readiness) {
        this.executor = executor;
        this.readiness = readiness;
    }

    @Descriptor("the health checks tagged msi (status and findings) and whether every device is bound")
    public String health() {
        Readiness ready = readiness.refresh();
        List<Result> results = executor.execute(HealthCheckSelector.tags("msi"),
                new HealthCheckExecutionOptions().setForceInstantExecution(true)).stream()
                .map(HealthCheckExecutionResult::getHealthCheckResult).toList();
        return HealthReport.format(results, ready);
    }
}
