package org.msidomain.hw.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A platform device with its own message table (factory PID {@value #FACTORY_PID}); one of the
 * description's devices with the same name is replaced.
 */
@ObjectClassDefinition(id = PlatformDeviceConfiguration.FACTORY_PID, factoryPid = PlatformDeviceConfiguration.FACTORY_PID,
        name = "MSI machine: platform device", description = "A platform device with a device-specific message "
                + "table (storage type platform). Replaces the description's device of the same name.")
public @interface PlatformDeviceConfiguration {

    String FACTORY_PID = "org.msidomain.machine.platform";

    @AttributeDefinition(name = "Name", description = "Its device id, e.g. ims1.")
    String name();

    @AttributeDefinition(name = "Slots", description = "Message slots, 1-2048.", min = "1", max = "2048")
    int slots() default 8;

    @AttributeDefinition(name = "Queued", description = "The table is written only through a command queue "
            + "(bus-locked storage).")
    boolean queued() default false;
}
