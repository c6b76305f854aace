package org.msidomain.hw.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One PCI function added to the machine (factory PID {@value #FACTORY_PID}, one configuration per function). */
@ObjectClassDefinition(id = PciDeviceConfiguration.FACTORY_PID, factoryPid = PciDeviceConfiguration.FACTORY_PID,
        name = "MSI machine: PCI function", description = "A PCI function built from a config-space dump.")
public @interface PciDeviceConfiguration {

    String FACTORY_PID = "org.msidomain.machine.pci";

    @AttributeDefinition(name = "Dump", description = "The config-space dump: binary (0000:00:04.0.bin) or lspci "
            + "-x/-xxx/-xxxx text. A relative path is relative to the .cfg file that FileInstall read, else to "
            + "the working directory.")
    String dump();

    @AttributeDefinition(name = "Slot", description = "[dddd:]bb:dd.f: place the function here instead of the "
            + "dump's own address.", required = false)
    String slot();

    @AttributeDefinition(name = "Owner", description = "Who programs the MSI-X table: os, or hypervisor (pseries: "
            + "the OS only hands messages to the hypervisor).", options = {
                    @Option(label = "os", value = "os"), @Option(label = "hypervisor", value = "hypervisor") })
    String owner() default "os";
}
