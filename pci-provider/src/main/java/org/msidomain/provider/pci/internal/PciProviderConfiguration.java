package org.msidomain.provider.pci.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The PCI provider's options (Config Admin PID {@value #PID}), applied while it runs. */
@ObjectClassDefinition(id = PciProviderConfiguration.PID, name = "MSI storage provider: PCI",
        description = "PCI MSI and MSI-X storage.")
@interface PciProviderConfiguration {

    String PID = "org.msidomain.provider.pci";

    @AttributeDefinition(name = "Service ranking", description = "Among the providers of storage type pci, the "
            + "highest ranking serves the devices; a change chooses again at once.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Preferred variant", description = "The storage of an allocation that names no "
            + "variant: msix (as Linux's pci_alloc_irq_vectors prefers) or msi; a device without the preferred "
            + "capability gets the other. Allocations made before a change keep their variant.", options = {
                    @Option(label = "MSI-X", value = "msix"), @Option(label = "MSI", value = "msi") })
    String preferredVariant() default "msix";
}
