package org.msidomain.itest.scenario;

import java.io.File;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.api.IrqInfo;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * The real hardware model, core domain and PCI provider wired without a framework, on a machine of
 * real dumps: 00:04.0 virtio-net (MSI-X 4), 04:00.0 LSI SAS2008 (MSI 64-bit + MSI-X 15), 05:01.0 PLX
 * (MSI 64-bit maskable 1/8), 00:1f.2 ICH10 AHCI (MSI 32-bit non-maskable 1/16), 00:02.0 Haswell root
 * port (MSI 32-bit maskable 1/2), 03:00.0 ConnectX-3 (MSI-X 256).
 */
final class Rig implements AutoCloseable {

    static final String[] DUMPS = { "0000:00:04.0.bin", "lsi-sas2008.txt", "plx-pex9716-downstream.txt",
        "intel-ich10-sata-ahci.txt", "intel-haswell-e-rootport-2f04.txt", "mellanox-mt27520-connectx3pro.txt" };

    final SimMachine machine;
    final MsiDomainImpl domain;
    final AtomicLong handled = new AtomicLong();

    Rig() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        for (String d : DUMPS) {
            paths.add(resource(d));
        }
        String dumps = String.join(MachineLoader.DUMP_SEPARATOR, paths);
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.DUMPS, dumps)::get));
        domain = X86Domains.domain(machine);
        domain.bindStorageOps(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci",
                "msi.provider.name", "pci"));
        if (!domain.awaitSettled(5000)) {
            throw new IllegalStateException("binder did not settle");
        }
    }

    private static String resource(String name) {
        try {
            return new File(Rig.class.getResource("/dumps/" + name).toURI()).getAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    PciFunction pci(String id) {
        return machine.pciFunction(id).orElseThrow();
    }

    /** Attaches a handler that counts into {@link #handled}. */
    void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> handled.incrementAndGet());
    }

    IrqInfo info(int irq) {
        return domain.irq(irq).orElseThrow();
    }

    long total(int irq) {
        return info(irq).total();
    }

    long spurious() {
        long s = 0;
        for (int cpu = 0; cpu < domain.cpuCount(); cpu++) {
            s += domain.spurious(cpu);
        }
        return s;
    }

    @Override
    public void close() {
        domain.deactivate();
    }
}
