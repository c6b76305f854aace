package org.msidomain.hw.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Supplier;

import org.msidomain.hw.Machine;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Builds the machine the launcher's framework properties describe and registers it as the
 * {@link Machine} service. If the description is refused, it registers the one-line problem instead (a
 * {@code Supplier<String>} with {@code msi.launcher.role=problem}), so the launcher can report it at once
 * rather than wait for a machine that will never come. The registration is by hand because which
 * service to register depends on the outcome, so the {@code osgi.service} capability that DS would
 * generate is declared here; resolvers that enforce service requirements (Karaf's) need it to install
 * the core and the shell commands.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.msidomain.hw.Machine\"")
@Component(immediate = true)
public final class MachineComponent {

    private final ServiceRegistration<?> registration;

    @Activate
    public MachineComponent(BundleContext context) {
        ServiceRegistration<?> r;
        try {
            r = context.registerService(Machine.class, new SimMachine(MachineLoader.load(context::getProperty)), null);
        } catch (IllegalArgumentException refused) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("msi.launcher.role", "problem");
            String problem = refused.getMessage();
            Supplier<String> report = () -> problem;
            r = context.registerService(Supplier.class, report, props);
        }
        registration = r;
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}
