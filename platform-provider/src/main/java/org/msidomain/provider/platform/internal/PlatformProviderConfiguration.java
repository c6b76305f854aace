package org.msidomain.provider.platform.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The platform provider's options (Config Admin PID {@value #PID}), applied while it runs. */
@ObjectClassDefinition(id = PlatformProviderConfiguration.PID, name = "MSI storage provider: platform",
        description = "platform message storage (storage type platform).")
@interface PlatformProviderConfiguration {

    String PID = "org.msidomain.provider.platform";

    @AttributeDefinition(name = "Service ranking", description = "Among the providers of storage type platform, the "
            + "highest ranking serves the devices; a change chooses again at once.")
    int service_ranking() default 0;
}
