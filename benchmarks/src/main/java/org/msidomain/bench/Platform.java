package org.msidomain.bench;

import java.util.Map;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/** The default machine with the core domain and the PCI provider, wired without a framework. */
final class Platform {

    final SimMachine machine;
    final MsiDomainImpl domain;

    Platform() {
        machine = new SimMachine(MachineLoader.load(k -> null));
        domain = X86Domains.domain(machine);
        domain.bindStorageOps(new PciStorageOps(),
                Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci", "msi.provider.name", "pci"));
        try {
            if (!domain.awaitSettled(10_000)) {
                throw new IllegalStateException("binder did not settle");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void close() {
        domain.deactivate();
    }
}
