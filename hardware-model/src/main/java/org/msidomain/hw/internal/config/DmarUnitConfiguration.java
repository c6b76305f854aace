package org.msidomain.hw.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A DMAR (VT-d) unit (factory PID {@value #FACTORY_PID}); one of the description's units with the same
 * name is replaced.
 */
@ObjectClassDefinition(id = DmarUnitConfiguration.FACTORY_PID, factoryPid = DmarUnitConfiguration.FACTORY_PID,
        name = "MSI machine: DMAR unit", description = "A DMAR (VT-d) unit (storage type dmar). Replaces the "
                + "description's unit of the same name.")
public @interface DmarUnitConfiguration {

    String FACTORY_PID = "org.msidomain.machine.dmar";

    @AttributeDefinition(name = "Name", description = "Its device id, e.g. dmar1.")
    String name();

    @AttributeDefinition(name = "Remapping table size", description = "Turns interrupt remapping on with a table "
            + "of this many entries (a power of two, 2-65536; one unit at most). Absent or 0: no remapping.",
            min = "0", max = "65536", required = false)
    int irtSize();
}
