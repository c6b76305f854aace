package org.msidomain.provider.hpet.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The HPET provider's options (Config Admin PID {@value #PID}), applied while it runs. */
@ObjectClassDefinition(id = HpetProviderConfiguration.PID, name = "MSI storage provider: HPET",
        description = "HPET message storage (storage type hpet).")
@interface HpetProviderConfiguration {

    String PID = "org.msidomain.provider.hpet";

    @AttributeDefinition(name = "Service ranking", description = "Among the providers of storage type hpet, the "
            + "highest ranking serves the devices; a change chooses again at once.")
    int service_ranking() default 0;
}
