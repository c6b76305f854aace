package org.msidomain.hw.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Hypervisor;
import org.msidomain.hw.Mmio;

/**
 * A device as the machine hands it out, around what its kind created: the one place the read-back flush
 * is kept, for built-in and outside devices alike. Each {@link #raise} counts as in flight (the port
 * counts each send); every register read (its regions' {@code read32}/{@code read64}, its config space)
 * drains them first, as a PCI read completion pushes the device's earlier posted writes. Once the device
 * has left (its kind went away) it raises nothing and its registers read all ones, as a surprise-removed
 * PCI function's do; writes are dropped.
 */
final class LiveDevice implements HwDevice, Modelled {

    private final HwDevice device;
    private final MachinePort port;
    private final KindService kind;
    private final DeviceSpec spec;
    private final Optional<ConfigSpace> config;
    private final Map<Integer, Mmio> regions = new ConcurrentHashMap<>();

    LiveDevice(HwDevice device, MachinePort port, KindService kind, DeviceSpec spec) {
        this.device = device;
        this.port = port;
        this.kind = kind;
        this.spec = spec;
        this.config = device.config().map(FlushedConfig::new);
    }

    @Override
    public HwDevice model() {
        return device;
    }

    MachinePort port() {
        return port;
    }

    KindService kind() {
        return kind;
    }

    DeviceSpec spec() {
        return spec;
    }

    /** Allocation-free and lock-free: the interrupt path. */
    @Override
    public void raise(int index) {
        InFlight inFlight = port.inFlight();
        int phase = inFlight.begin();
        try {
            if (!port.removed()) { // read after begin: a removal's drain waits for a raise that got past this
                device.raise(index);
            }
        } finally {
            inFlight.end(phase);
        }
    }

    /** A secondary storage's raise, counted in flight the same way. Allocation-free and lock-free. */
    @Override
    public void raise(String storageType, int index) {
        InFlight inFlight = port.inFlight();
        int phase = inFlight.begin();
        try {
            if (!port.removed()) {
                device.raise(storageType, index);
            }
        } finally {
            inFlight.end(phase);
        }
    }

    @Override
    public long merged(String storageType, int index) {
        return device.merged(storageType, index);
    }

    @Override
    public String id() {
        return device.id();
    }

    @Override
    public String fullName() {
        return device.fullName();
    }

    @Override
    public String storageType() {
        return device.storageType();
    }

    @Override
    public List<String> storageTypes() {
        return device.storageTypes();
    }

    @Override
    public int requesterId() {
        return device.requesterId();
    }

    @Override
    public Optional<ConfigSpace> config() {
        return config;
    }

    @Override
    public Mmio region(int n) {
        Mmio r = regions.get(n);
        if (r == null) {
            r = regions.computeIfAbsent(n, k -> new FlushedMmio(device.region(k)));
        }
        return r;
    }

    @Override
    public Optional<Hypervisor> hypervisor() {
        return device.hypervisor();
    }

    @Override
    public Map<String, String> properties() {
        return device.properties();
    }

    @Override
    public String toString() {
        return device.id() + " (" + spec.kind() + ")";
    }

    /** A register block whose reads flush the device's messages. */
    private final class FlushedMmio implements Mmio {

        private final Mmio mmio;

        FlushedMmio(Mmio mmio) {
            this.mmio = mmio;
        }

        @Override
        public long size() {
            return mmio.size();
        }

        @Override
        public int read32(long offset) {
            if (port.removed()) {
                return -1;
            }
            port.inFlight().drain();
            return mmio.read32(offset);
        }

        @Override
        public long read64(long offset) {
            if (port.removed()) {
                return -1L;
            }
            port.inFlight().drain();
            return mmio.read64(offset);
        }

        @Override
        public void write32(long offset, int value) {
            if (!port.removed()) {
                mmio.write32(offset, value);
            }
        }

        @Override
        public void write64(long offset, long value) {
            if (!port.removed()) {
                mmio.write64(offset, value);
            }
        }
    }

    /** A config space whose reads flush the device's messages. */
    private final class FlushedConfig implements ConfigSpace {

        private final ConfigSpace space;

        FlushedConfig(ConfigSpace space) {
            this.space = space;
        }

        @Override
        public int size() {
            return space.size();
        }

        @Override
        public int read8(int offset) {
            if (port.removed()) {
                return 0xFF;
            }
            port.inFlight().drain();
            return space.read8(offset);
        }

        @Override
        public int read16(int offset) {
            if (port.removed()) {
                return 0xFFFF;
            }
            port.inFlight().drain();
            return space.read16(offset);
        }

        @Override
        public int read32(int offset) {
            if (port.removed()) {
                return -1;
            }
            port.inFlight().drain();
            return space.read32(offset);
        }

        @Override
        public void write8(int offset, int value) {
            if (!port.removed()) {
                space.write8(offset, value);
            }
        }

        @Override
        public void write16(int offset, int value) {
            if (!port.removed()) {
                space.write16(offset, value);
            }
        }

        @Override
        public void write32(int offset, int value) {
            if (!port.removed()) {
                space.write32(offset, value);
            }
        }
    }
}
