package org.msidomain.itest.kind;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * A device kind written as an outside bundle would write it, against the published api only: a device
 * with a message slot array in its register block, laid out as the platform storage type's datasheet says
 * (slot k at 16k: address lo, address hi, data, control with bit 0 = mask; slots reset masked), so the
 * built-in platform provider serves it. Properties: {@code slots}, the number of slots; {@code table}, the
 * table kind the device says it has ({@code slots} unless told otherwise, to see a provider decline it).
 */
public final class SlotArrayKind implements DeviceKind {

    public static final String KIND = "slotarray";

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        int slots;
        try {
            slots = Integer.parseInt(spec.property("slots", "4"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec.name() + ": slots '" + spec.property("slots", "") + "' is not a number");
        }
        return new Device(spec.name(), slots, spec.property("table", "slots"), port);
    }

    /** The device: its registers and its raise. */
    static final class Device implements HwDevice, Mmio {

        private final String id;
        private final DevicePort port;
        private final AtomicIntegerArray words;
        private final AtomicIntegerArray pending;
        private final Map<String, String> properties;

        Device(String id, int slots, String table, DevicePort port) {
            this.id = id;
            this.port = port;
            words = new AtomicIntegerArray(slots * 4);
            pending = new AtomicIntegerArray(slots);
            for (int k = 0; k < slots; k++) {
                words.set(4 * k + 3, 1); // reset: masked
            }
            properties = Map.of("table", table, "slots", String.valueOf(slots));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String fullName() {
            return id;
        }

        @Override
        public String storageType() {
            return "platform";
        }

        @Override
        public int requesterId() {
            return port.requesterId();
        }

        @Override
        public Optional<ConfigSpace> config() {
            return Optional.empty();
        }

        @Override
        public Mmio region(int n) {
            if (n != 0) {
                throw new IllegalArgumentException(id + " has one register block (region 0), not " + n);
            }
            return this;
        }

        @Override
        public Map<String, String> properties() {
            return properties;
        }

        @Override
        public void raise(int slot) {
            if (slot < 0 || slot >= pending.length()) {
                throw new IllegalArgumentException(id + " has no slot " + slot);
            }
            if ((words.get(4 * slot + 3) & 1) != 0) {
                if (pending.getAndSet(slot, 1) == 1) {
                    port.merged();
                }
                if ((words.get(4 * slot + 3) & 1) == 0 && pending.compareAndSet(slot, 1, 0)) {
                    send(slot); // unmasked meanwhile: the unmask may have missed the pending bit
                }
                return;
            }
            send(slot);
        }

        private void send(int slot) {
            long address = (words.get(4 * slot) & 0xFFFF_FFFFL) | ((long) words.get(4 * slot + 1) << 32);
            port.send(address, words.get(4 * slot + 2));
        }

        @Override
        public long size() {
            return pending.length() * 16L;
        }

        @Override
        public int read32(long offset) {
            check(offset);
            return words.get((int) (offset >> 2));
        }

        @Override
        public void write32(long offset, int value) {
            check(offset);
            words.set((int) (offset >> 2), value);
            int slot = (int) (offset >> 4);
            if ((offset & 15) == 12 && (value & 1) == 0 && pending.compareAndSet(slot, 1, 0)) {
                send(slot); // a latched event goes out once on unmask
            }
        }

        private void check(long offset) {
            if (offset < 0 || offset + 4 > size() || (offset & 3) != 0) {
                throw new IllegalArgumentException(String.format("%s: register access at 0x%x is outside its %d bytes or unaligned",
                        id, offset, size()));
            }
        }
    }
}
