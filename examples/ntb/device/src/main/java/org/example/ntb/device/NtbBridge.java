package org.example.ntb.device;

import static org.example.ntb.device.NtbRegisters.*;

import java.util.Map;
import java.util.Optional;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * A non-transparent bridge whose MSI storage is on the peer: the local side hands each vector's message to the
 * peer through scratchpads, and the peer fires it through a memory window the bridge translates into the local
 * message window. {@link #raise} is the peer triggering a vector.
 */
final class NtbBridge implements HwDevice {

    /** The storage type a provider serves for this bridge. */
    static final String STORAGE_TYPE = "ntb-peer";

    private final DeviceSpec spec;
    private final NtbConfig config;
    private final Map<String, String> properties;
    private final DevicePort port;
    private final MemoryWindow window;
    private final Peer peer;
    private final Mmio registers = new Registers();

    NtbBridge(DeviceSpec spec, NtbConfig config, DevicePort port) {
        this.spec = spec;
        this.config = config;
        this.properties = config.asProperties();
        this.port = port;
        this.window = new MemoryWindow(config.windowSize(), port);
        this.peer = new Peer(config.scratchpads(), config.vectors(), window, port);
    }

    @Override
    public String id() {
        return spec.name();
    }

    @Override
    public String fullName() {
        return spec.name();
    }

    @Override
    public String storageType() {
        return STORAGE_TYPE;
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
            throw new IllegalArgumentException("ntb bridge " + spec.name() + " has only region 0, not " + n);
        }
        return registers;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public void raise(int index) {
        if (index < 0 || index >= config.vectors()) {
            throw new IllegalArgumentException("ntb bridge " + spec.name() + " has no interrupt " + index
                    + " (its peer raises 0-" + (config.vectors() - 1) + ")");
        }
        peer.trigger(index);
    }

    /** Region 0: the datasheet's registers (README). */
    private final class Registers implements Mmio {

        @Override
        public long size() {
            return REGION_SIZE;
        }

        @Override
        public int read32(long offset) {
            int at = checked(offset);
            switch (at) {
                case ID: return ID_VALUE;
                case SPAD_COUNT: return peer.scratchpads();
                case PEER_DB: return peer.doorbell();
                case MW_SIZE: return window.size();
                case PEER_VECTORS: return config.vectors();
                case MW_XLAT_LO: return (int) window.translatedBase();
                case MW_XLAT_HI: return (int) (window.translatedBase() >>> 32);
                case MW_ERRORS: return (int) Math.min(window.errors(), Integer.MAX_VALUE);
                default:
                    int spad = spad(at);
                    return spad < 0 ? 0 : peer.readSpad(spad); // PEER_DB_SET and reserved offsets read 0
            }
        }

        @Override
        public void write32(long offset, int value) {
            int at = checked(offset);
            switch (at) {
                case PEER_DB_SET -> peer.ring(value);
                case MW_XLAT_LO -> window.translate((window.translatedBase() & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL));
                case MW_XLAT_HI -> window.translate((window.translatedBase() & 0xFFFF_FFFFL) | ((long) value << 32));
                default -> {
                    int spad = spad(at);
                    if (spad >= 0) {
                        peer.writeSpad(spad, value);
                    } // read-only and reserved registers ignore writes
                }
            }
        }

        private int spad(int at) {
            int n = (at - SPAD_BASE) / 4;
            return at >= SPAD_BASE && n < peer.scratchpads() ? n : -1;
        }

        private int checked(long offset) {
            if (offset < 0 || offset > REGION_SIZE - 4 || (offset & 3) != 0) {
                throw new IllegalArgumentException("ntb bridge " + spec.name() + ": no 32-bit register at 0x"
                        + Long.toHexString(offset) + " of region 0 (size 0x" + Integer.toHexString(REGION_SIZE) + ")");
            }
            return (int) offset;
        }
    }
}
