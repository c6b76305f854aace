package org.msidomain.hw.internal;

import java.util.List;

import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.irqchip.MessagePath;

/**
 * The x86 message path: a dword write to the 0xFEExxxxx window in compatibility format reaches the local APIC
 * whose id is in address bits 19:12; with VT-d interrupt remapping on, a remappable-format write goes through the
 * remapping table and compatibility format is blocked. Anything else is not an interrupt and is counted as lost.
 *
 * <p>Of the delivery modes in data bits 10:8 (Intel SDM vol. 3, 10.11.2; 11.11.2 in recent editions) the model delivers Fixed and
 * Lowest Priority: with a physical destination lowest priority has one candidate, so it is Fixed to that
 * CPU (QEMU's apic_send_msi arbitrates among the destination set, which here has one member). SMI, NMI,
 * INIT and ExtINT do not deliver a vector and are not modelled; 011 and 110 are reserved. A logical
 * destination (address bit 2; QEMU and KVM honour it whatever the redirection hint) needs the APICs'
 * logical destination registers, which the model has not. Those messages are counted as lost.
 */
final class X86MessagePath implements MessagePath {

    private final InterruptFabric fabric;

    X86MessagePath(InterruptFabric fabric) {
        this.fabric = fabric;
    }

    /**
     * A device performs the message write {@code data -> address}. Allocation-free.
     *
     * @param requesterId the writing device's requester id, or -1
     */
    @Override
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        write(addressLo, addressHi, data, requesterId, null, null, -1);
    }

    /**
     * The same, naming the writer (device id, storage type, entry; {@code null}, {@code -1}: not said): a CPU with
     * interrupts off tells the domain whose message its IRR holds ({@link org.msidomain.hw.VectorSink#requested},
     * {@link org.msidomain.hw.VectorSink#merged(int, int, String, String, int)}). A remapped message names none:
     * the entry, not the device, decides where it goes. Allocation-free.
     */
    @Override
    public void write(int addressLo, int addressHi, int data, int requesterId, String device, String storageType,
            int entry) {
        RemappingTable ir = remapping;
        if ((addressLo >>> 20) == 0xFEE && ir != null) {
            if ((addressLo & 0x10) != 0) {
                ir.remap(addressLo, addressHi, data, requesterId, remapTarget);
            } else {
                ir.compatibility(requesterId); // compatibility format is blocked while remapping is on
            }
            return;
        }
        if (addressHi != 0 || (addressLo >>> 20) != 0xFEE || (addressLo & (0x10 | DEST_LOGICAL)) != 0
                || (data & DELIVERY_MODE) > LOWEST_PRIORITY) {
            fabric.lostOne();
            return;
        }
        SimLocalApic apic = fabric.xapic((addressLo >>> 12) & 0xFF);
        int vector = data & 0xFF;
        if (apic == null || vector < 0x10) {
            fabric.lostOne();
            return;
        }
        apic.accept(vector, device, storageType, entry);
    }

    /** Address bit 2: the destination id is a logical one. */
    static final int DEST_LOGICAL = 1 << 2;
    /** Data bits 10:8; Fixed is 000, Lowest Priority 001. */
    static final int DELIVERY_MODE = 0x700;
    static final int LOWEST_PRIORITY = 0x100;

    private volatile RemappingTable remapping;
    /** Created once: a method reference made on every message would allocate on the hot path. */
    private final RemappingTable.Target remapTarget = this::deliverRemapped;

    /** Turns interrupt remapping on: from now on interrupt writes go through this table. */
    void enableRemapping(RemappingTable table) {
        remapping = table;
    }

    private void deliverRemapped(int apicId, int vector) {
        SimLocalApic apic = fabric.apic(apicId);
        if (apic == null || vector < 0x10) {
            fabric.lostOne();
            return;
        }
        apic.accept(vector);
    }

    /**
     * A remapping unit's own interrupt: never remapped, and its upper address carries destination bits
     * 31:8 (VT-d FEUADDR, Linux's destid_8_31), so it can reach x2APIC ids above 255. The writer is named as in
     * {@link #write(int, int, int, int, String, String, int)}.
     */
    public void writeFromRemappingUnit(int addressLo, int addressHi, int data, String device, String storageType,
            int entry) {
        if ((addressLo >>> 20) != 0xFEE) {
            fabric.lostOne();
            return;
        }
        int dest = (addressHi & 0xFFFF_FF00) | ((addressLo >>> 12) & 0xFF);
        SimLocalApic apic = fabric.apic(dest);
        if (apic == null || (data & 0xFF) < 0x10) {
            fabric.lostOne();
            return;
        }
        apic.accept(data & 0xFF, device, storageType, entry);
    }

    /** A write as {@link #write} performs it, saying where it went (for the shell, not the hot path). */
    @Override
    public String inject(int addressLo, int addressHi, int data, int requesterId) {
        if (addressHi != 0 || (addressLo >>> 20) != 0xFEE) {
            write(addressLo, addressHi, data, requesterId);
            return "dropped: not an interrupt address (0xFEExxxxx)";
        }
        RemappingTable ir = remapping;
        if (ir != null && (addressLo >>> 20) == 0xFEE) {
            int before = ir.faults().size();
            write(addressLo, addressHi, data, requesterId);
            List<RemappingTable.Fault> faults = ir.faults();
            if (faults.size() > before) {
                RemappingTable.Fault fault = faults.get(faults.size() - 1);
                return String.format("dropped: remapping fault 0x%02x (%s%s)", fault.reason(), reason(fault.reason()),
                        fault.reason() == RemappingTable.SOURCE_ID && requesterId < 0 ? ": the write carries no requester id" : "");
            }
            return "remapped and delivered";
        }
        if ((addressLo & 0x10) != 0) {
            write(addressLo, addressHi, data, requesterId);
            return "dropped: remappable format, but interrupt remapping is off";
        }
        if ((addressLo & DEST_LOGICAL) != 0) {
            write(addressLo, addressHi, data, requesterId);
            return "dropped: logical destination mode (address bit 2) is not modelled";
        }
        String mode = notDelivered((data & DELIVERY_MODE) >>> 8);
        if (mode != null) {
            write(addressLo, addressHi, data, requesterId);
            return "dropped: " + mode;
        }
        SimLocalApic apic = fabric.xapic((addressLo >>> 12) & 0xFF);
        if (apic == null) {
            write(addressLo, addressHi, data, requesterId);
            return String.format("dropped: no CPU has APIC id %d", (addressLo >>> 12) & 0xFF);
        }
        if ((data & 0xFF) < 0x10) {
            write(addressLo, addressHi, data, requesterId);
            return String.format("dropped: vector 0x%02x is reserved", data & 0xFF);
        }
        write(addressLo, addressHi, data, requesterId);
        return String.format("delivered to CPU%d vector 0x%02x%s", apic.cpu(), data & 0xFF,
                (data & DELIVERY_MODE) == LOWEST_PRIORITY ? " (lowest priority, one destination: as fixed)" : "");
    }

    /** Why a delivery mode (data bits 10:8) delivers nothing here, or null for Fixed and Lowest Priority. */
    private static String notDelivered(int mode) {
        return switch (mode) {
            case 0b000, 0b001 -> null;
            case 0b010 -> "delivery mode SMI (010) is not modelled";
            case 0b100 -> "delivery mode NMI (100) is not modelled";
            case 0b101 -> "delivery mode INIT (101) is not modelled";
            case 0b111 -> "delivery mode ExtINT (111) is not modelled";
            default -> String.format("delivery mode %s is reserved", Integer.toBinaryString(0b1000 | mode).substring(1));
        };
    }

    private static String reason(int code) {
        return switch (code) {
            case RemappingTable.RESERVED_FIELD -> "reserved field set in the request";
            case RemappingTable.INDEX_BEYOND_TABLE -> "index beyond the table";
            case RemappingTable.NOT_PRESENT -> "entry not present";
            case RemappingTable.COMPATIBILITY_BLOCKED -> "compatibility format blocked";
            case RemappingTable.SOURCE_ID -> "source-id verification failed";
            default -> "unknown";
        };
    }

}
