package org.msidomain.itest.scenario;

import java.io.File;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.spi.MsiStorageOps;

/**
 * One interrupt of a real device under Lincheck's model checker: its operations are the driver's
 * (mask, unmask, affinity) and the device's (fire), and Lincheck runs them from several threads in
 * systematically explored interleavings (switching at every shared-memory access and lock). After each
 * interleaving {@link #checkAccounting} unmasks and checks that every event fired was delivered exactly
 * once or merged into one already pending, on a CPU, never spurious, never lost.
 *
 * <p>Each instance is a fresh machine and domain that start no thread (Lincheck runs only its own): the
 * provider is bound on the caller's thread and provider calls wait without the watchdog.
 */
@Param(name = "cpu", gen = IntGen.class, conf = "0:1")
public abstract class DescriptorModelCheck {

    private final SimMachine machine;
    private final MsiDomainImpl domain;
    private final HwDevice device;
    private final int irq;
    private final AtomicLong fired = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();

    DescriptorModelCheck(String dump, String variant) {
        String path;
        try {
            path = new File(DescriptorModelCheck.class.getResource("/dumps/" + dump).toURI()).getAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        machine = new SimMachine(MachineLoader.load(Map.of(MachineLoader.DUMPS, path, MachineLoader.CPUS, "2")::get));
        domain = X86Domains.domain(machine, 0);
        domain.bindStorageOpsNow(new PciStorageOps(), Map.of("service.id", 1L, MsiStorageOps.STORAGE_TYPE, "pci",
                "msi.provider.name", "pci"));
        device = machine.devices().stream().filter(d -> d.storageType().equals("pci")).findFirst().orElseThrow();
        irq = domain.allocate(device.id(), 1, variant)[0];
        domain.setHandler(irq, "check", (i, cpu) -> handled.incrementAndGet());
    }

    private long spurious() {
        return domain.spurious(0) + domain.spurious(1);
    }

    @Operation
    public void fire() {
        fired.incrementAndGet();
        device.raise(0);
    }

    @Operation
    public void affinity(@Param(name = "cpu") int cpu) {
        domain.setAffinity(irq, cpu);
    }

    void doMask() {
        domain.mask(irq);
    }

    void doUnmask() {
        domain.unmask(irq);
    }

    /** After the interleaving: unmask, then every event is accounted for exactly. */
    @Validate
    public void checkAccounting() {
        domain.unmask(irq);
        long merged = machine.coalescedMessages() + domain.mergedWhileMasked();
        long counted = domain.irq(irq).orElseThrow().total();
        if (handled.get() + merged != fired.get() || counted != handled.get()) {
            throw new IllegalStateException("fired " + fired + " but handled " + handled + " (counted " + counted
                    + ") + merged " + merged);
        }
        if (spurious() != 0 || machine.lostMessages() != 0) {
            throw new IllegalStateException("spurious " + spurious() + ", lost " + machine.lostMessages());
        }
    }
}
