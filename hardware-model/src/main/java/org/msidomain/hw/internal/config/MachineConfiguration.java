package org.msidomain.hw.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The machine's own settings (Config Admin PID {@value #PID}), laid over the launcher's description
 * ({@code --machine}, {@code --dump}/{@code --sysfs} or the default machine). A key that is absent keeps
 * the description's value. The keys' names are a public interface; {@link ConfigKeys#MACHINE} lists them
 * for the translation.
 */
@ObjectClassDefinition(id = MachineConfiguration.PID, pid = MachineConfiguration.PID, name = "MSI machine",
        description = "The simulated machine: CPUs, HPET, interrupt remapping, and whether the launcher's "
                + "description keeps its devices. Absent keys keep the description's values.")
public @interface MachineConfiguration {

    String PID = "org.msidomain.machine";

    @AttributeDefinition(name = "CPUs", description = "Number of CPUs (1-256).", min = "1", max = "256",
            required = false)
    int cpus();

    @AttributeDefinition(name = "APIC ids", description = "The local APIC id of each CPU (distinct, 0 and up; above "
            + "255 is x2APIC). Default: CPU n has id n.", min = "0", required = false)
    int[] apicIds();

    @AttributeDefinition(name = "Keep the description's devices", description = "false: the machine has only the "
            + "devices configured here (PCI functions, HPET, DMAR units, platform devices).")
    boolean baseDevices() default true;

    @AttributeDefinition(name = "HPET timers", description = "Gives the machine an HPET block of this many timers "
            + "(3-32), replacing the description's; its FSB timers are then hpetFsbTimers (default none).",
            min = "3", max = "32", required = false)
    int hpetTimers();

    @AttributeDefinition(name = "HPET FSB timers", description = "The timers that can deliver by FSB message.",
            min = "0", required = false)
    int[] hpetFsbTimers();

    @AttributeDefinition(name = "Interrupt remapping", description = "true: the first DMAR unit (dmar0 is added "
            + "if there is none) remaps interrupts with a table of irtSize entries; false: no unit remaps. "
            + "Absent: as the description and the DMAR configurations say.", required = false)
    boolean interruptRemapping();

    @AttributeDefinition(name = "Remapping table size", description = "Entries of the interrupt remapping table "
            + "with interruptRemapping=true: a power of two, 2-65536.", min = "2", max = "65536")
    int irtSize() default 256;
}
