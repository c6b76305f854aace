package org.msidomain.hw.internal;

import org.msidomain.hw.DevicePort;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.pci.SimHypervisor;

/**
 * The machine's side of one device: its requester id, its messages in flight and whether it has left.
 * Outside kinds see only {@link DevicePort}; the built-in kinds (same bundle) also reach the fabric, the
 * in-flight count and the machine's remapping table and hypervisor through it ({@link #of}).
 */
public final class MachinePort implements DevicePort {

    private final InterruptFabric fabric;
    private final int requesterId;
    /** The device's id: the writer its messages name. */
    private final String device;
    private final InFlight inFlight = new InFlight();
    private final SimMachine machine;
    private volatile boolean removed;

    MachinePort(InterruptFabric fabric, int requesterId, SimMachine machine, String device) {
        this.fabric = fabric;
        this.requesterId = requesterId;
        this.device = device;
        this.machine = machine;
    }

    /** The machine's port behind {@code port}: built-in kinds are created only by their own machine. */
    public static MachinePort of(DevicePort port) {
        if (port instanceof MachinePort p) {
            return p;
        }
        throw new IllegalArgumentException("a built-in device kind needs the machine's own port, not " + port);
    }

    /**
     * Counted in flight, so a register read that starts after it returns only once it is delivered; a
     * device that has left sends nothing. Allocation-free and lock-free.
     */
    @Override
    public void send(long address, int data) {
        int phase = inFlight.begin();
        try {
            if (!removed) {
                fabric.write((int) address, (int) (address >>> 32), data, requesterId);
            }
        } finally {
            inFlight.end(phase);
        }
    }

    /** The same, naming the writer (this device, the storage type and entry given). Allocation-free, lock-free. */
    @Override
    public void send(long address, int data, String storageType, int entry) {
        int phase = inFlight.begin();
        try {
            if (!removed) {
                fabric.write((int) address, (int) (address >>> 32), data, requesterId, device, storageType, entry);
            }
        } finally {
            inFlight.end(phase);
        }
    }

    @Override
    public void merged() {
        fabric.coalescedOne();
    }

    @Override
    public int requesterId() {
        return requesterId;
    }

    /** The fabric, for the built-in devices' own message paths (their raises are counted by the machine). */
    public InterruptFabric fabric() {
        return fabric;
    }

    /** The device's messages in flight: what a register read drains. */
    public InFlight inFlight() {
        return inFlight;
    }

    /** The machine's hypervisor (for PCI functions whose MSI table it owns). */
    public SimHypervisor hypervisor() {
        return machine.hypervisor();
    }

    /** The remapping table the DMAR unit named {@code unit} carries, or null. */
    public RemappingTable remapping(String unit) {
        return machine.remappingOf(unit);
    }

    boolean removed() {
        return removed;
    }

    /** The device leaves: nothing more goes out, and every message already under way is delivered first. */
    void remove() {
        removed = true;
        inFlight.drain();
    }
}
