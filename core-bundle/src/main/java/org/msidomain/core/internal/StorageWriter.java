package org.msidomain.core.internal;

import java.util.Collection;
import java.util.List;

import org.msidomain.api.MsiMsg;
import org.msidomain.parent.MsiParent;
import org.msidomain.parent.ParentFeature;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;

/**
 * The sequences that touch a device's storage: program fresh descriptors, restore every live one after
 * a provider binds, re-target one, deactivate one. Storage state changes
 * happen between the storage's {@code lock} and {@code unlock}. Control path only.
 */
final class StorageWriter {

    private final MsiParent parent;
    private final OnlineCpus online;
    private final VectorTable table;
    private final ProviderGuard guard;

    StorageWriter(MsiParent parent, OnlineCpus online, VectorTable table, ProviderGuard guard) {
        this.parent = parent;
        this.online = online;
        this.table = table;
        this.guard = guard;
    }

    /**
     * Reservation mode, where Linux's {@code msi_check_reservation_mode} (kernel/irq/msi.c) allows it: PCI
     * MSI and MSI-X only (bus tokens PCI_MSI, PCI_DEVICE_MSI, PCI_DEVICE_MSIX, VMD; not HPET, DMAR, platform
     * MSI or PCI IMS), with {@code MSI_FLAG_MUST_REACTIVATE}, which the PCI core sets on every PCI/MSI domain
     * (drivers/pci/msi/irqdomain.c, also under interrupt remapping: the IR parents keep it, their vector
     * parent still only reserves, and the IRTE points at the shutdown vector until startup), not with
     * {@code pci_msi_ignore_mask} / {@code MSI_FLAG_NO_MASK} (a hypervisor-owned table), and only if the
     * first descriptor is MSI-X or maskable MSI; a multi-message block is not excluded.
     */
    static boolean reservationMode(DeviceState d) {
        return d.writable() && d.primary && "pci".equals(d.type()) && d.has(StorageFlag.CAN_MASK)
                && !d.has(StorageFlag.HYPERVISOR_OWNED) && d.parentHas(ParentFeature.RESERVATION_MODE);
    }

    /**
     * Activates fresh descriptors, then enables the storage. Nothing is started yet: maskable storage
     * keeps each vector masked at the source until its handler is attached (Linux masks every MSI-X entry
     * in {@code msix_setup_msi_descs}/{@code msix_mask_all} and every MSI vector in
     * {@code msi_setup_msi_desc}, and only {@code irq_startup} unmasks), so an early event is latched
     * there; whatever reaches the core meanwhile is held pending ({@code handle_edge_irq} without an
     * action sets {@code IRQS_PENDING}) and resent at startup.
     */
    void program(DeviceState d, Collection<IrqDesc> fresh, boolean enable) {
        MsiStorageOps ops = d.provider().ops();
        MsiStorage s = d.storage();
        ops.lock(s);
        try {
            for (IrqDesc desc : fresh) {
                desc.parentMasked = true;
                if (desc.reserved) {
                    writeReserved(d, desc);
                } else {
                    write(d, desc, desc.cpu, desc.vector);
                    maskUnstarted(ops, s, d, desc);
                }
            }
        } finally {
            ops.unlock(s);
        }
        if (enable) {
            s.enable();
        }
    }

    /**
     * Rewrites every live descriptor's message and mask state through a newly bound storage, the way
     * Linux restores MSI state after resume; affinity changes deferred while unbound take effect here.
     *
     * @param resume a restore of the device's state ({@code MsiDomain#restore}, Linux's {@code pci_restore_msi_state}),
     *               announced to the storage around the writes; false for a storage just bound, which adopted the
     *               live table
     */
    void restore(DeviceState d, boolean resume) {
        MsiStorageOps ops = d.provider().ops();
        MsiStorage s = d.storage();
        List<Runnable> releases = new java.util.ArrayList<>();
        if (resume) {
            s.restoreBegin(); // MSI-X: Function Mask on before the first entry is written
        }
        rewrite(d, ops, s, releases); // a failure fails the device: it is restored again once a provider serves it
        if (resume) {
            s.restoreEnd(); // after the last write (and a bus-locked storage's push at unlock)
        }
        releases.forEach(Runnable::run);
        releaseStrays(d);
        s.enable();
    }

    private void rewrite(DeviceState d, MsiStorageOps ops, MsiStorage s, List<Runnable> releases) {
        ops.lock(s);
        try {
            for (IrqDesc desc : d.descriptors()) {
                if (desc.reserved) {
                    continue;
                }
                java.util.BitSet wanted = desc.pendingAffinity;
                desc.pendingAffinity = null;
                // First the message the device holds, so the storage knows it (a bus-locked storage starts
                // with an empty shadow, and a remapped move writes the storage only when the handle changes).
                ops.writeMsg(s, desc, desc.msg());
                if (wanted != null) {
                    tryRetarget(d, desc, wanted, releases);
                }
            }
            for (IrqDesc desc : d.descriptors()) {
                if (desc.reserved && desc.started) {
                    startup(d, desc); // requested while no provider could write it
                } else if (desc.reserved) {
                    writeReserved(d, desc);
                } else if (!desc.started) {
                    maskUnstarted(ops, s, d, desc);
                } else {
                    applyMask(ops, s, d, desc);
                }
            }
        } finally {
            ops.unlock(s);
        }
    }

    /**
     * A deferred affinity mask at restore, to the CPU of the mask the parent chooses. Without room it is
     * dropped (logged) and the mask in force stays, as Linux keeps the affinity when applying a pending mask
     * fails ({@code irq_move_masked_irq}); the restore goes on.
     */
    private void tryRetarget(DeviceState d, IrqDesc desc, java.util.BitSet mask, List<Runnable> releases) {
        if (mask.get(desc.cpu)) {
            desc.affinity = mask; // its CPU is in the mask: no move (x86 assign_vector_locked)
            return;
        }
        int cpu = parent.bestCpu(d, mask);
        try {
            if (cpu < 0) {
                throw new IllegalStateException(mask.intersects(online.mask())
                        ? "no free vector on any CPU of " + CpuMask.list(mask)
                        : "every CPU of " + CpuMask.list(mask) + " is offline");
            }
            releases.add(retarget(d, desc, cpu));
            desc.affinity = mask;
        } catch (IllegalStateException noRoom) {
            System.getLogger("org.msidomain.core").log(System.Logger.Level.WARNING,
                    "{0}: deferred move of irq {1} to CPUs {2} dropped: {3}", d.id(), desc.irq, CpuMask.list(mask),
                    noRoom.getMessage());
        }
    }

    /**
     * Moves a descriptor to a CPU. The new slot is installed before the message changes; the old one may
     * be released only once the device uses the new message, which is after the bus unlock (a bus-locked
     * storage pushes its changes then, and the read-back flushes messages sent with the old content).
     * Where the message names the target, storage that cannot mask is moved in two steps if the parent says so
     * ({@link ParentFeature#INTERIM_MOVE}, x86 {@code msi_set_affinity}). An irq of a multi-message block moves
     * alone: each irq has its own target (Linux {@code intel_ir_set_affinity} rewrites that irq's IRTE only).
     * Caller holds the bus lock.
     *
     * @return what the caller must run after the bus unlock: the release of the old slot
     */
    Runnable retarget(DeviceState d, IrqDesc desc, int cpu) {
        int oldCpu = desc.cpu;
        int oldVector = desc.vector;
        // Where the message does not name the target (a remapping handle, an ITS event) only the controller
        // changes, never the device: no race, no interim target. Storage whose mask loses events (HPET) cannot
        // be masked around the update either: it takes two steps.
        boolean canMask = d.has(StorageFlag.CAN_MASK) && !d.has(StorageFlag.LOSSY_MASK);
        boolean perTarget = d.parentHas(ParentFeature.MESSAGE_PER_TARGET);
        boolean twoSteps = perTarget && !canMask && cpu != oldCpu && d.parentHas(ParentFeature.INTERIM_MOVE);
        // the interim id may be another interrupt's on the old CPU (x86 irq_matrix_alloc takes the target CPU's
        // lowest free vector, whatever the old CPU holds under that number): moveInTwoSteps shares that slot
        int vector = twoSteps ? parent.allocateForMove(desc, oldCpu, oldVector, cpu) : parent.allocate(desc, cpu);
        if (vector < 0) {
            throw new IllegalStateException("no free vector on CPU " + cpu
                    + (parent.free(cpu) == 0 ? "" : " that is also free on CPU " + oldCpu));
        }
        table.install(cpu, vector, desc);
        // If a write of the move is abandoned, the device may already use the new slot: it stays
        // installed, as a stray released when the device is next restored or freed.
        ProviderGuard.Once strand = new ProviderGuard.Once(() -> d.strays.add(() -> releaseSlot(desc, cpu, vector)));
        guard.repairWith(strand);
        try {
            if (twoSteps && vector != oldVector) {
                moveInTwoSteps(d, desc, oldCpu, cpu, vector);
            } else if (perTarget && canMask) {
                moveMasked(d, desc, cpu, vector);
            } else {
                write(d, desc, cpu, vector);
            }
        } catch (RuntimeException e) {
            table.uninstall(cpu, vector);
            parent.release(cpu, vector);
            throw e;
        } finally {
            guard.clear(strand);
        }
        desc.cpu = cpu;
        desc.vector = vector;
        return () -> releaseSlot(desc, oldCpu, oldVector);
    }

    /**
     * Frees a slot a descriptor was installed in, keeping the counts it took. On a CPU that went offline (its
     * interrupts stay disabled) a message that reached the old target is held there (x86: in its IRR): it is sent
     * again to the descriptor's new target before the slot goes (x86 {@code fixup_irqs}, and
     * {@code __vector_cleanup}, which frees no vector still pending in the IRR).
     */
    private void releaseSlot(IrqDesc desc, int cpu, int vector) {
        if (!online.online(cpu) && parent.takeHeld(cpu, vector)) {
            table.accept(desc.cpu, desc.vector); // irq_retrigger: an IPI with the vector to the new target
        }
        desc.fold(cpu, table.uninstall(cpu, vector), table.cpus());
        parent.release(cpu, vector);
    }

    /** Frees a slot now (the IRR check of an offline CPU first): a managed interrupt's shutdown. */
    void releaseNow(IrqDesc desc, int cpu, int vector) {
        releaseSlot(desc, cpu, vector);
    }

    /** Releases the slots an abandoned move left behind, once the device's messages no longer use them. */
    void releaseStrays(DeviceState d) {
        d.strays.forEach(Runnable::run);
        d.strays.clear();
    }

    /**
     * The maskable move (Linux's irq_move_masked_irq): the interrupt is masked at the source while the
     * message words change, so the device never sends a half-written message; an event meanwhile is
     * latched and sent with the new message on unmask.
     */
    private void moveMasked(DeviceState d, IrqDesc desc, int cpu, int vector) {
        MsiStorageOps ops = d.provider().ops();
        MsiStorage s = d.storage();
        boolean live = !desc.sourceMasked;
        if (live) {
            ops.mask(s, desc);
        }
        try {
            write(d, desc, cpu, vector);
        } finally {
            if (live) {
                ops.unmask(s, desc);
            }
        }
    }

    /**
     * The non-maskable move ({@link ParentFeature#INTERIM_MOVE}), run "on the old CPU with interrupts held off":
     * first the new id with the old CPU (x86: only data changes), then the new CPU (only the address changes).
     * The device always holds (old CPU, old id), (old CPU, new id) or (new CPU, new id); a message that hit the
     * middle state is held on the old CPU and retriggered on the new one.
     * As x86 {@code msi_set_affinity}, the interim slot is marked (VECTOR_RETRIGGERED) only if no interrupt owns
     * it; if one does, the held message stays for that owner and is delivered to it when the CPU takes interrupts
     * again (on a dying CPU, when the owner's id there is released): a spurious interrupt for it, counted as
     * unhandled.
     */
    private void moveInTwoSteps(DeviceState d, IrqDesc desc, int oldCpu, int cpu, int vector) {
        // A CPU going offline already has interrupts held off, for good (fixup_irqs runs on it that way).
        boolean dying = !online.online(oldCpu);
        if (!dying) {
            parent.holdCpu(oldCpu);
        }
        IrqDesc owner = table.owner(oldCpu, vector);
        boolean shared = owner != null && owner.retriggerOf == null; // !IS_ERR_OR_NULL(vector_irq[vector])
        // Undone once, here or by the watchdog if a write of this move is abandoned: the old CPU must not
        // stay with interrupts disabled.
        ProviderGuard.Once undo = new ProviderGuard.Once(() -> {
            if (shared) {
                table.giveBack();
            } else {
                table.uninstall(oldCpu, vector);
            }
            if (!dying) {
                parent.resumeCpu(oldCpu);
            }
        });
        guard.repairWith(undo);
        try {
            if (shared) {
                table.borrow(oldCpu, vector, desc, d.id(), d.type()); // merges are told apart by the writer
            } else {
                table.install(oldCpu, vector, desc.retriggerMarker()); // VECTOR_RETRIGGERED, knowing whose it is
            }
            write(d, desc, oldCpu, vector);
            write(d, desc, cpu, vector);
            if (!shared) {
                if (parent.takeHeld(oldCpu, vector)) {
                    table.accept(cpu, vector); // irq_retrigger: an IPI with the vector to the new target
                }
            } else if (parent.isHeld(oldCpu, vector)) { // lapic_vector_set_in_irr: the message stays for its owner
                table.accept(cpu, vector);
                // One delivery each: the one whose message was not held there gets a spurious one.
                (table.giveBack() ? owner : desc).countUnhandled();
            }
        } finally {
            guard.clear(undo);
            undo.run();
        }
    }

    /**
     * Activates a reserved descriptor with the parent's shared reservation target, masked at the source (x86
     * {@code vector_assign_managed_shutdown}; under remapping the device holds its handle and the entry points at
     * the reservation vector, {@code intel_irq_remapping_activate}). Always written: a storage created to restore
     * starts with an empty shadow.
     */
    private void writeReserved(DeviceState d, IrqDesc desc) {
        MsiStorageOps ops = d.provider().ops();
        MsiMsg msg = parent.reserve(desc);
        ops.writeMsg(d.storage(), desc, msg);
        desc.setMsg(msg);
        ops.mask(d.storage(), desc);
        desc.sourceMasked = true;
    }

    /**
     * Starts a descriptor when its handler is attached (Linux {@code irq_startup}): a reserved one first
     * gets a real target on the CPU of its affinity mask the parent chooses (any CPU if none has room) and a freshly composed
     * message ({@code x86_vector_activate} -> {@code activate_reserved}); then the source is unmasked
     * unless the driver masked it, and an arrival the core held meanwhile is resent once
     * ({@code check_irq_resend}). Caller holds the bus lock.
     */
    void startup(DeviceState d, IrqDesc desc) {
        if (desc.managed && desc.reserved && (desc.managedDown || parent.bestCpu(d, desc.affinity) < 0)) {
            // no CPU of its mask online: a managed interrupt stays shut down (irq_startup's IRQ_STARTUP_ABORT)
            desc.managedDown = true;
            if (d.has(StorageFlag.CAN_MASK)) {
                d.provider().ops().mask(d.storage(), desc);
                desc.sourceMasked = true;
            }
            desc.started = true;
            return;
        }
        if (desc.reserved) {
            // x86 assign_irq_vector_any_locked: the CPU of the affinity mask with the most free vectors,
            // else any CPU
            int cpu = parent.bestCpu(d, desc.affinity);
            cpu = cpu >= 0 ? cpu : parent.bestCpu(d, null);
            if (cpu < 0) {
                throw new IllegalStateException("no free vector on any CPU");
            }
            int vector = parent.allocate(desc, cpu);
            table.install(cpu, vector, desc);
            try {
                write(d, desc, cpu, vector);
            } catch (RuntimeException e) {
                table.uninstall(cpu, vector);
                parent.release(cpu, vector);
                throw e;
            }
            desc.cpu = cpu;
            desc.vector = vector;
            desc.reserved = false;
        }
        if (!desc.masked) {
            maskAtDestination(d, desc, false); // irq_startup -> unmask: the parent first
        }
        applyMask(d.provider().ops(), d.storage(), d, desc);
        desc.started = true;
        releaseHeld(d, desc);
    }

    /** Lets arrivals through the core once started and not masked by the driver, resending one held meanwhile. */
    void releaseHeld(DeviceState d, IrqDesc desc) {
        if (desc.masked && (!desc.sourceMasked || d.has(StorageFlag.MASK_PARENT))) {
            return; // the driver's mask holds it at the destination, as mask() does
        }
        desc.parentMasked = false;
        if (!desc.reserved && desc.takePending()) {
            table.accept(desc.cpu, desc.vector); // IRQS_PENDING resent at startup
        }
    }

    /**
     * Shuts a started descriptor down when its handler is removed (Linux {@code free_irq} ->
     * {@code irq_shutdown}: masked at the source; the irq domain is then deactivated, and x86's
     * {@code x86_vector_deactivate} gives a reservation-mode interrupt's real vector back and reserves
     * again). A later event is latched at the source and sent once at the next startup. Caller holds
     * the bus lock and has already made the core hold arrivals.
     *
     * @return what the caller must run after the bus unlock: the release of a real vector given back
     */
    Runnable shutdown(DeviceState d, IrqDesc desc) {
        if (!desc.reserved) {
            maskAtDestination(d, desc, true);
        }
        if (!d.has(StorageFlag.CAN_MASK)) {
            return () -> { };
        }
        MsiStorageOps ops = d.provider().ops();
        ops.mask(d.storage(), desc);
        desc.sourceMasked = true;
        if (desc.reserved || !reservationMode(d)) {
            return () -> { };
        }
        int cpu = desc.cpu;
        int vector = desc.vector;
        writeReserved(d, desc);
        desc.reserved = true; // its affinity mask stays: the next startup chooses within it again
        desc.cpu = 0;
        desc.vector = parent.reservationId();
        return () -> releaseSlot(desc, cpu, vector);
    }

    /** Deactivates a descriptor (mask, zero message unless a hypervisor owns the table) and frees its slot. */
    void deactivate(DeviceState d, IrqDesc desc) {
        if (d.writable()) {
            MsiStorageOps ops = d.provider().ops();
            MsiStorage s = d.storage();
            ops.lock(s);
            try {
                if (d.has(StorageFlag.CAN_MASK)) {
                    ops.mask(s, desc);
                    desc.sourceMasked = true;
                }
                if (!d.has(StorageFlag.HYPERVISOR_OWNED)) {
                    ops.writeMsg(s, desc, MsiMsg.ZERO);
                    desc.setMsg(MsiMsg.ZERO);
                }
            } finally {
                ops.unlock(s);
            }
        }
        if (!desc.reserved) {
            desc.fold(desc.cpu, table.uninstall(desc.cpu, desc.vector), table.cpus());
        }
    }

    /**
     * Points a descriptor at (CPU, id): the parent programs its controller and names the message; the storage is
     * written only when that message is new (a remapping handle or an ITS event stays the same across moves).
     */
    private void write(DeviceState d, IrqDesc desc, int cpu, int vector) {
        MsiMsg msg = parent.activate(desc, cpu, vector);
        if (msg.equals(desc.msg())) {
            return;
        }
        MsiStorageOps ops = d.provider().ops();
        ops.writeMsg(d.storage(), desc, msg);
        if (d.has(StorageFlag.HYPERVISOR_OWNED)) {
            // pseries_msi_compose_msg: the hypervisor chose the message; the irq's is what the device holds
            msg = ops.readMsg(d.storage(), desc).orElse(msg);
        }
        desc.setMsg(msg);
    }

    /** Gives back what the parent took for descriptors being freed (remapping entries, ITS events). */
    void releaseEntries(DeviceState d, List<IrqDesc> descs) {
        if (!descs.isEmpty()) {
            parent.deactivate(descs);
        }
    }

    /**
     * Masks or unmasks at the destination where the parent masks there in hardware
     * ({@link ParentFeature#MASK_AT_DESTINATION}: an ITS LPI's enable bit, a GIC distributor's SPI enable, an IMSIC
     * identity's enable bit); what arrives meanwhile is latched there and delivered once on unmask. A target
     * starts masked there and is unmasked at startup.
     */
    void maskAtDestination(DeviceState d, IrqDesc desc, boolean mask) {
        if (!d.parentHas(ParentFeature.MASK_AT_DESTINATION)) {
            return;
        }
        if (mask) {
            parent.mask(desc);
        } else {
            parent.unmask(desc);
        }
    }

    /** Masks a vector that is not started yet at the source, where the storage can. */
    private static void maskUnstarted(MsiStorageOps ops, MsiStorage s, DeviceState d, IrqDesc desc) {
        if (d.has(StorageFlag.CAN_MASK)) {
            ops.mask(s, desc);
            desc.sourceMasked = true;
        }
    }

    /** Makes the storage's mask match what the driver wants; storage that cannot mask is masked at the parent. */
    private static void applyMask(MsiStorageOps ops, MsiStorage s, DeviceState d, IrqDesc desc) {
        if (!d.has(StorageFlag.CAN_MASK)) {
            return;
        }
        if (desc.masked) {
            ops.mask(s, desc);
            desc.sourceMasked = true;
        } else {
            ops.unmask(s, desc);
            desc.sourceMasked = false;
        }
    }
}
