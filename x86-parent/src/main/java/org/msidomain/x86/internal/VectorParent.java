package org.msidomain.x86.internal;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.Set;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.Machine;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.msidomain.spi.StorageFlag;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The x86 vector domain as the MSI parent of a machine without interrupt remapping (Linux
 * {@code arch/x86/kernel/apic/vector.c} with the x86 MSI parent of {@code arch/x86/kernel/apic/msi.c}): targets are
 * (CPU, vector) pairs of the vector matrix, the message is the compatibility-format address of the CPU's APIC id
 * with the vector as data, an affinity change rewrites it, and a source that cannot mask moves through an interim
 * vector on the old CPU ({@code msi_set_affinity}) with that CPU's interrupts held off in its local APIC. No
 * multi-message MSI ({@code x86_init_dev_msi_info} leaves out {@code MSI_FLAG_MULTI_PCI_MSI} without remapping).
 */
@Component(service = MsiParent.class, property = MsiParent.ARCH + "=x86")
public final class VectorParent implements MsiParent {

    private static final Set<ParentFeature> FEATURES = Set.copyOf(EnumSet.of(ParentFeature.MESSAGE_PER_TARGET,
            ParentFeature.INTERIM_MOVE, ParentFeature.RESERVATION_MODE));

    private final Machine machine;
    private final VectorMatrix matrix;

    @Activate
    public VectorParent(@Reference(name = "machine", target = "(&(" + MsiParent.ARCH + "=x86)(!(" + MsiParent.REMAPPING
            + "=true)))") Machine machine) {
        this.machine = machine;
        int[] apicIds = new int[machine.cpuCount()];
        for (int cpu = 0; cpu < apicIds.length; cpu++) {
            apicIds[cpu] = machine.apicId(cpu);
        }
        this.matrix = new VectorMatrix(apicIds);
    }

    @Override
    public String arch() {
        return "x86";
    }

    @Override
    public String name() {
        return "VECTOR";
    }

    @Override
    public String prefix(ParentDevice device) {
        return "";
    }

    @Override
    public Set<ParentFeature> features(ParentDevice device) {
        return FEATURES;
    }

    @Override
    public String unsupported(ParentFeature feature, ParentDevice device) {
        return feature == ParentFeature.MULTI_PCI_MSI
                ? "multi-message MSI needs interrupt remapping (x86 without IR supports one MSI vector per function)"
                : MsiParent.super.unsupported(feature, device);
    }

    @Override
    public int cpus() {
        return matrix.cpus();
    }

    @Override
    public int ids() {
        return VectorMatrix.VECTORS;
    }

    @Override
    public int free(int cpu) {
        return matrix.free(cpu);
    }

    @Override
    public int used(int cpu) {
        return matrix.used(cpu);
    }

    @Override
    public int bestCpu(ParentDevice device, BitSet candidates) {
        // the remapping unit's own messages carry destination bits 31:8 in the upper address: any APIC id
        return matrix.emptiestCpuIn(candidates, device.has(StorageFlag.REMAPPING_UNIT));
    }

    /** The CPU with the most free vectors a message of any format can reach (for the remapping parent). */
    int bestCpu(BitSet candidates, boolean x2apic) {
        return matrix.emptiestCpuIn(candidates, x2apic);
    }

    @Override
    public int allocate(ParentIrq irq, int cpu) {
        return matrix.allocate(cpu);
    }

    /**
     * The vector of a two-step move, also its interim vector on the old CPU: the lowest free one on the new CPU, as
     * {@code irq_matrix_alloc} hands it out, whatever the old CPU holds under that number (another irq's there is
     * shared for the move, as {@code msi_set_affinity} does); -1 if the new CPU has none.
     */
    @Override
    public int allocateForMove(ParentIrq irq, int oldCpu, int oldId, int cpu) {
        matrix.checkCpu(cpu);
        return matrix.free(cpu) == 0 ? -1 : matrix.allocate(cpu);
    }

    @Override
    public void release(int cpu, int id) {
        matrix.release(cpu, id);
    }

    @Override
    public MsiMsg activate(ParentIrq irq, int cpu, int id) {
        return compose(irq.device(), cpu, id);
    }

    /** The message for (CPU, vector); the remapping unit's own storage holds destination bits 31:8 in the upper address. */
    MsiMsg compose(ParentDevice device, int cpu, int vector) {
        int apicId = matrix.apicId(cpu);
        return device.has(StorageFlag.REMAPPING_UNIT) ? X86Msi.composeUpper(apicId, vector) : X86Msi.compose(apicId, vector);
    }

    @Override
    public MsiMsg reserve(ParentIrq irq) {
        return compose(irq.device(), 0, X86Msi.RESERVATION_VECTOR);
    }

    @Override
    public int reservationId() {
        return X86Msi.RESERVATION_VECTOR;
    }

    @Override
    public void cpuOffline(int cpu) {
        matrix.checkCpu(cpu);
        machine.localApic(cpu).disableInterrupts(); // the dying CPU runs fixup_irqs with interrupts off
        matrix.setOnline(cpu, false);
    }

    @Override
    public void cpuOnline(int cpu) {
        matrix.checkCpu(cpu);
        matrix.setOnline(cpu, true);
        machine.localApic(cpu).enableInterrupts();
    }

    @Override
    public void holdCpu(int cpu) {
        machine.localApic(cpu).disableInterrupts();
    }

    @Override
    public void resumeCpu(int cpu) {
        machine.localApic(cpu).enableInterrupts();
    }

    @Override
    public boolean takeHeld(int cpu, int id) {
        return machine.localApic(cpu).testAndClearIrr(id);
    }

    /** The vector's IRR bit, left set: the owner of the vector on that CPU gets it ({@code lapic_vector_set_in_irr}). */
    @Override
    public boolean isHeld(int cpu, int id) {
        return machine.localApic(cpu).irrSet(id);
    }

    int apicId(int cpu) {
        return matrix.apicId(cpu);
    }
}
