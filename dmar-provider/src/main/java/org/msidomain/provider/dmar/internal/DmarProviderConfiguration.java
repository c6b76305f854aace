package org.msidomain.provider.dmar.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The DMAR provider's options (Config Admin PID {@value #PID}), applied while it runs. */
@ObjectClassDefinition(id = DmarProviderConfiguration.PID, name = "MSI storage provider: DMAR",
        description = "DMAR message storage (storage type dmar).")
@interface DmarProviderConfiguration {

    String PID = "org.msidomain.provider.dmar";

    @AttributeDefinition(name = "Service ranking", description = "Among the providers of storage type dmar, the "
            + "highest ranking serves the devices; a change chooses again at once.")
    int service_ranking() default 0;
}
