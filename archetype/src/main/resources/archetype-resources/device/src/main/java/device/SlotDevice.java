package ${package}.device;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * A device with one register block (region 0): a read-only capacity register and N message slots (README.md,
 * "Register layout"). Slot k raises by writing its address/data through the {@link DevicePort}; a raise while
 * the slot is masked sets its pending bit instead (a second one merges with it), and unmasking a pending slot
 * sends its message once, as MSI-X and IMS hardware do.
 *
 * <p>Raise and register writes may come from any thread at once. The mask and pending bits of a slot live in
 * one word changed only by compare-and-set, so a raise racing an unmask is sent exactly once. The raise path
 * allocates nothing and takes no lock.
 */
public final class SlotDevice implements HwDevice, Mmio {

    /** Read-only: bits 15:0 the number of slots. */
    public static final int CAPACITY = 0x00;
    /** Slot k's registers start at {@code SLOT_BASE + SLOT_SIZE * k}. */
    public static final int SLOT_BASE = 0x10;
    public static final int SLOT_SIZE = 16;
    /** Offsets within a slot. */
    public static final int ADDRESS_LO = 0x0;
    public static final int ADDRESS_HI = 0x4;
    public static final int DATA = 0x8;
    public static final int CONTROL = 0xC;
    /** Control bit 0, read-write: the slot is masked (its reset value). */
    public static final int MASK = 1;
    /** Control bit 1, read-only: an event arrived while masked and waits for the unmask. */
    public static final int PENDING = 2;

    private final String id;
    private final String storageType;
    private final int slots;
    private final Map<String, String> properties;
    private final DevicePort port;
    /** Per slot: address lo, address hi, data, control. */
    private final AtomicIntegerArray words;

    public SlotDevice(String id, String storageType, int slots, Map<String, String> properties, DevicePort port) {
        this.id = id;
        this.storageType = storageType;
        this.slots = slots;
        this.properties = Map.copyOf(properties);
        this.port = port;
        this.words = new AtomicIntegerArray(slots * 4);
        for (int k = 0; k < slots; k++) {
            words.set(k * 4 + 3, MASK);
        }
    }

    @Override
    public void raise(int index) {
        if (index < 0 || index >= slots) {
            throw new IllegalArgumentException("device " + id + " has no slot " + index + " (it has " + slots + ")");
        }
        int at = index * 4 + 3;
        for (;;) {
            int control = words.get(at);
            if ((control & MASK) == 0) {
                send(index);
                return;
            }
            if ((control & PENDING) != 0) {
                port.merged(); // merges with the event already pending
                return;
            }
            if (words.compareAndSet(at, control, control | PENDING)) {
                return;
            }
        }
    }

    /** Whether slot k holds an event that arrived while it was masked. */
    public boolean pending(int slot) {
        return (words.get(slot * 4 + 3) & PENDING) != 0;
    }

    private void send(int slot) {
        long address = (words.get(slot * 4) & 0xFFFF_FFFFL) | (long) words.get(slot * 4 + 1) << 32;
        port.send(address, words.get(slot * 4 + 2));
    }

    @Override
    public long size() {
        return SLOT_BASE + (long) SLOT_SIZE * slots;
    }

    @Override
    public int read32(long offset) {
        int word = word(offset);
        return word < 0 ? (offset == CAPACITY ? slots : 0) : words.get(word);
    }

    @Override
    public void write32(long offset, int value) {
        int word = word(offset);
        if (word < 0) {
            return; // the capacity register and the reserved words are read-only
        }
        if ((word & 3) != 3) {
            words.set(word, value);
            return;
        }
        for (;;) { // control: only MASK is writable; an unmask releases a pending event, once
            int control = words.get(word);
            boolean release = (value & MASK) == 0 && (control & PENDING) != 0;
            int next = release ? 0 : (value & MASK) | (control & PENDING);
            if (words.compareAndSet(word, control, next)) {
                if (release) {
                    send(word >> 2);
                }
                return;
            }
        }
    }

    /** The slot word an offset names, or -1 for the header (capacity and reserved words). */
    private int word(long offset) {
        if (offset < 0 || offset >= size() || (offset & 3) != 0) {
            throw new IllegalArgumentException(id + ": no 32-bit register at offset 0x" + Long.toHexString(offset)
                    + " (region 0 is 0x" + Long.toHexString(size()) + " bytes)");
        }
        return offset < SLOT_BASE ? -1 : (int) ((offset - SLOT_BASE) >> 2);
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
        return storageType;
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
            throw new IllegalArgumentException(id + " has one register block, region 0 (not " + n + ")");
        }
        return this;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }
}
