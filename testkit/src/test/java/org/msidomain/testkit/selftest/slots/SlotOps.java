package org.msidomain.testkit.selftest.slots;

import java.util.EnumSet;
import java.util.Optional;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A small provider of the {@code platform} type for memory-mapped slot tables (slot k at 16k: address lo,
 * address hi, data, control with bit 0 = mask; an event on a masked slot is latched and sent on unmask),
 * written from that datasheet alone, with one deliberate defect chosen by its {@link Mode}. The kit's own
 * tests run the kit on it: with no defect the checks pass, with each defect the check that covers it fails.
 */
public final class SlotOps implements MsiStorageOps {

    /** The bundle header that names the mode. */
    public static final String MODE_HEADER = "X-Slot-Mode";

    public enum Mode {
        /** Correct, and bus-locked: writes are recorded under the lock and pushed at unlock. */
        CORRECT,
        /** Unmask points the slot at no APIC while it clears the mask: a latched event goes nowhere. */
        LOSES_ON_UNMASK,
        /** Declares BUS_LOCK but writes the message at once, under the lock. */
        WRITES_THROUGH_LOCK,
        /** Clears the live slots' messages when it takes a device over, as if probing a fresh device (slowly). */
        RESETS_ON_ADOPT
    }

    private static final int MASK = 1;
    private final Mode mode;

    public SlotOps(Mode mode) {
        this.mode = mode;
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        int slots = maxVectors(device);
        if (request.vectors() > slots) {
            throw new IllegalArgumentException(device.id() + " has " + slots + " slots, " + request.vectors() + " requested");
        }
        Slots storage = new Slots(device, slots);
        if (request.adopt() && mode == Mode.RESETS_ON_ADOPT) {
            storage.reset(); // the defect: the live messages are gone until the domain restores them
            try {
                Thread.sleep(20); // a probe that takes its time: the window is wide enough for the device to fire into
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return storage;
    }

    @Override
    public Optional<String> decline(HwDevice device) {
        return "slots".equals(device.properties().get("table")) ? Optional.empty() : Optional.of("no slot table");
    }

    @Override
    public int maxVectors(HwDevice device) {
        return Integer.parseInt(device.properties().getOrDefault("slots", "0"));
    }

    private final class Slots implements MsiStorage {
        private final Mmio regs;
        private final int[] ctrl;
        private final MsiMsg[] recorded;
        private final StorageInfo info;
        private boolean locked;

        Slots(HwDevice device, int count) {
            regs = device.region(0);
            ctrl = new int[count];
            recorded = new MsiMsg[count];
            for (int k = 0; k < count; k++) {
                ctrl[k] = regs.read32(k * 16L + 12) | MASK;
            }
            EnumSet<StorageFlag> flags = EnumSet.of(StorageFlag.CAN_MASK, StorageFlag.ALLOC_DYNAMIC);
            if (mode == Mode.CORRECT || mode == Mode.WRITES_THROUGH_LOCK) {
                flags.add(StorageFlag.BUS_LOCK);
            }
            info = new StorageInfo("SLOT-" + device.fullName(), count, flags);
        }

        @Override
        public StorageInfo info() {
            return info;
        }

        void reset() {
            for (int k = 0; k < ctrl.length; k++) {
                regs.write32(k * 16L, 0);
                regs.write32(k * 16L + 4, 0);
                regs.write32(k * 16L + 8, 0);
            }
        }

        @Override
        public void lock() {
            locked = true;
        }

        @Override
        public void unlock() {
            locked = false;
            for (int k = 0; k < recorded.length; k++) {
                if (recorded[k] != null) {
                    push(k, recorded[k]);
                    recorded[k] = null;
                }
            }
        }

        @Override
        public void writeMsg(MsiDescView desc, MsiMsg msg) {
            if (locked && mode == Mode.CORRECT) {
                recorded[desc.index()] = msg;
            } else {
                push(desc.index(), msg);
            }
        }

        /** Writes a slot's message with the slot masked if it is live, so no half-written message is sent. */
        private void push(int k, MsiMsg msg) {
            long slot = k * 16L;
            boolean live = (ctrl[k] & MASK) == 0;
            if (live) {
                regs.write32(slot + 12, ctrl[k] | MASK);
            }
            regs.write32(slot, msg.addressLo());
            regs.write32(slot + 4, msg.addressHi());
            regs.write32(slot + 8, msg.data());
            if (live) {
                regs.write32(slot + 12, ctrl[k]);
            }
            regs.read32(slot + 8);
        }

        @Override
        public void mask(MsiDescView desc) {
            ctrl[desc.index()] |= MASK;
            regs.write32(desc.index() * 16L + 12, ctrl[desc.index()]);
            regs.read32(desc.index() * 16L + 12);
        }

        @Override
        public void unmask(MsiDescView desc) {
            long slot = desc.index() * 16L;
            int lo = regs.read32(slot);
            if (mode == Mode.LOSES_ON_UNMASK) {
                regs.write32(slot, 0); // the defect: a latched event is sent to address 0, where no APIC is
            }
            ctrl[desc.index()] &= ~MASK;
            regs.write32(slot + 12, ctrl[desc.index()]);
            if (mode == Mode.LOSES_ON_UNMASK) {
                regs.write32(slot + 12, ctrl[desc.index()] | MASK);
                regs.write32(slot, lo);
                regs.write32(slot + 12, ctrl[desc.index()]);
            }
        }
    }
}
