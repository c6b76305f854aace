package org.msidomain.itest.scenario;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.MachineSpec;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.provider.dmar.internal.DmarStorageOps;
import org.msidomain.provider.hpet.internal.HpetStorageOps;
import org.msidomain.provider.pci.internal.PciStorageOps;
import org.msidomain.provider.platform.internal.PlatformStorageOps;
import org.msidomain.spi.MsiStorageOps;

/** machines/platform.json (HPET, DMAR unit, two platform devices, CPU 2 with x2APIC id 300) with every provider bound. */
final class PlatformRig implements AutoCloseable {

    static final List<Integer> X2APIC_IDS = List.of(0, 1, 300, 3);
    final SimMachine machine;
    final MsiDomainImpl domain;
    final AtomicLong handled = new AtomicLong();

    PlatformRig() throws Exception {
        this("platform.json");
    }

    /** The rig on another machine description of the test resources' machines folder. */
    PlatformRig(String machineFile) throws Exception {
        String json = new File(getClass().getResource("/machines/" + machineFile).toURI()).getAbsolutePath();
        MachineSpec spec = MachineLoader.load(Map.of(MachineLoader.FILE, json)::get);
        // CPU 2 gets x2APIC id 300 also without remapping (scenario 18: what a DMAR unit reaches and PCI cannot);
        // a description refuses that, as Linux brings no such CPU online, so the rig sets the ids itself
        machine = new SimMachine(new MachineSpec(X2APIC_IDS, spec.pci(), spec.hypervisorOwned(), spec.hpet(),
                spec.dmar(), spec.platform(), spec.problems()));
        domain = X86Domains.domain(machine);
        bind(1, new PciStorageOps(), "pci");
        bind(2, new HpetStorageOps(), "hpet");
        bind(3, new DmarStorageOps(), "dmar");
        bind(4, new PlatformStorageOps(), "platform");
        if (!domain.awaitSettled(5000)) {
            throw new IllegalStateException("binder did not settle");
        }
    }

    private void bind(long id, MsiStorageOps ops, String type) {
        domain.bindStorageOps(ops, Map.of("service.id", id, MsiStorageOps.STORAGE_TYPE, type, "msi.provider.name", type));
    }

    void count(int irq) {
        domain.setHandler(irq, "count", (i, cpu) -> handled.incrementAndGet());
    }

    IrqInfo info(int irq) {
        return domain.irq(irq).orElseThrow();
    }

    /** A vector a soak fires: the device, its MSI index, the irq. */
    record Vector(HwDevice device, int index, int irq) {
    }

    /** Every device's vectors, as a soak takes them: the HPET's FSB-capable timers 2-7, up to 4 of the others. */
    List<Vector> allocateAll() {
        List<Vector> vectors = new ArrayList<>();
        for (DeviceInfo d : domain.devices()) {
            HwDevice hw = machine.device(d.id()).get();
            if (d.id().equals("hpet")) {
                for (int t = 2; t < 8; t++) {
                    vectors.add(new Vector(hw, t, domain.allocateAt("hpet", t)));
                }
            } else {
                int[] irqs = domain.allocate(d.id(), Math.min(4, domain.maxVectors(d.id())));
                for (int i = 0; i < irqs.length; i++) {
                    vectors.add(new Vector(hw, i, irqs[i]));
                }
            }
        }
        return vectors;
    }

    @Override
    public void close() {
        domain.deactivate();
    }
}
