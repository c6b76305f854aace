package org.msidomain.hw.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * A device kind as an outside bundle would write it, against the SPI only: an NTB-style doorbell block of
 * one message (registers: 0 address lo, 4 address hi, 8 data, 12 control with bit 0 = mask, reset masked).
 * A raise while masked latches a pending bit (a second one merges); unmasking a pending doorbell sends.
 */
class TestKind implements DeviceKind {

    final List<HwDevice> created = new CopyOnWriteArrayList<>();
    final List<HwDevice> destroyed = new CopyOnWriteArrayList<>();

    @Override
    public HwDevice create(DeviceSpec spec, DevicePort port) {
        Doorbell d = new Doorbell(spec.name(), port);
        created.add(d);
        return d;
    }

    @Override
    public void destroy(HwDevice device) {
        destroyed.add(device);
    }

    static final class Doorbell implements HwDevice, Mmio {

        private final String id;
        private final DevicePort port;
        private final AtomicIntegerArray regs = new AtomicIntegerArray(4);
        private volatile boolean pending;

        Doorbell(String id, DevicePort port) {
            this.id = id;
            this.port = port;
            regs.set(3, 1);
        }

        private void send() {
            port.send((regs.get(0) & 0xFFFF_FFFFL) | (long) regs.get(1) << 32, regs.get(2));
        }

        @Override
        public void raise(int index) {
            if ((regs.get(3) & 1) != 0) {
                if (pending) {
                    port.merged();
                }
                pending = true;
                return;
            }
            send();
        }

        @Override
        public long size() {
            return 16;
        }

        @Override
        public int read32(long offset) {
            return regs.get((int) offset >> 2);
        }

        @Override
        public void write32(long offset, int value) {
            regs.set((int) offset >> 2, value);
            if (offset == 12 && (value & 1) == 0 && pending) {
                pending = false;
                send();
            }
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
            return "ntb";
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
                throw new IllegalArgumentException(id + " has one register block");
            }
            return this;
        }

        @Override
        public Map<String, String> properties() {
            return Map.of();
        }
    }
}
