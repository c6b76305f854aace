package org.msidomain.core.internal;

import java.util.Hashtable;

import org.msidomain.hw.Machine;
import org.msidomain.parent.MsiParent;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Says why there is no MSI domain while the machine's architecture has no parent domain: the domain waits for the
 * {@link MsiParent} of the machine's arch, and until one is registered this component offers {@code msi:why} and
 * {@code msi:health} in place of the domain's own commands, which name what is missing. It withdraws them as soon
 * as a parent arrives (the domain and its commands follow).
 */
@Component(immediate = true)
public final class ParentWait {

    private final String arch;
    private final BundleContext context;
    private ServiceRegistration<?> commands;
    private int parents;

    @Activate
    public ParentWait(@Reference(name = "machine") Machine machine, BundleContext context) {
        this.arch = machine.arch();
        this.context = context;
        update();
    }

    @Reference(name = "parent", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + MsiParent.ARCH + "=*)")
    synchronized void bindParent(MsiParent parent) {
        parents++;
        update();
    }

    synchronized void unbindParent(MsiParent parent) {
        parents--;
        update();
    }

    @Deactivate
    synchronized void deactivate() {
        if (commands != null) {
            commands.unregister();
            commands = null;
        }
    }

    private synchronized void update() {
        if (parents > 0 && commands != null) {
            commands.unregister();
            commands = null;
        } else if (parents == 0 && commands == null) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("osgi.command.scope", "msi");
            props.put("osgi.command.function", new String[] {"why", "health"});
            commands = context.registerService(Object.class, new Commands(), props);
        }
    }

    /** What is missing, one line. */
    String reason() {
        return "no MSI domain: the machine's architecture " + arch + " has no parent domain (no " + MsiParent.class.getSimpleName()
                + " service with " + MsiParent.ARCH + "=" + arch + "; install the parent bundle of " + arch + ")";
    }

    /** The commands while waiting; public methods for Gogo. */
    public final class Commands {

        /** {@code msi:why [DEVICE]}: every device waits for the domain. */
        public String why(String... args) {
            return (args.length > 0 ? args[0] + ": " : "") + reason();
        }

        /** {@code msi:health}: not ready, with the reason. */
        public String health(String... args) {
            throw new IllegalStateException(reason());
        }
    }
}
