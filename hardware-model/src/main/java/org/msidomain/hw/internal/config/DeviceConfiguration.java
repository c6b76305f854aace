package org.msidomain.hw.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A device of any kind (factory PID {@value #FACTORY_PID}), as a {@code "devices"} entry of the description:
 * {@code kind}, {@code name}, {@code requesterId}, and each kind property {@code KEY} as the key
 * {@value #PROPERTY}{@code KEY}. One of the description's devices with the same name is replaced.
 */
@ObjectClassDefinition(id = DeviceConfiguration.FACTORY_PID, factoryPid = DeviceConfiguration.FACTORY_PID,
        name = "MSI machine: device", description = "A device of any kind, created by the device kind service of "
                + "that name (msi.device.kind); it waits while there is none. Kind properties are the keys "
                + "property.KEY. Replaces the description's device of the same name.")
public @interface DeviceConfiguration {

    String FACTORY_PID = "org.msidomain.machine.device";
    /** The prefix of the keys that carry the kind's properties. */
    String PROPERTY = "property.";

    @AttributeDefinition(name = "Kind", description = "The device kind, e.g. pci, hpet, dmar, platform, or an "
            + "outside kind's name.")
    String kind();

    @AttributeDefinition(name = "Name", description = "Its device id: a letter, then letters, digits, _ . - (1-32); "
            + "for kind pci its address bb:dd.f.")
    String name();

    @AttributeDefinition(name = "Requester id", description = "bb:dd.f: the requester id its messages carry "
            + "(checked by interrupt remapping). For kind pci, by default its address.", required = false)
    String requesterId();
}
