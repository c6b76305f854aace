package org.example.ims.device;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntSupplier;

import org.msidomain.hw.DevicePort;

/**
 * An array of message entries as a device keeps them in its registers: an MSI-X table or an IMS slot array.
 * Each entry has its address and data words, a mask bit and a pending bit. Raising an entry sends its message,
 * or, while it is masked (or the whole array is gated, MSI-X's Function Mask), latches it in the pending bit,
 * where further events merge; unmasking sends a latched event once.
 *
 * <p>Lock-free and allocation-free on the raise path. Each entry's state word holds the mask and pending
 * bits and the number of raises under way; a write that masks (or closes the gate) returns only once the
 * raises that passed the mask before it have sent, as a device completes a posted register write after the
 * messages it already started. The built-in PCI provider relies on that: it masks without a read-back.
 */
final class MessageEntries {

    /** The gate of the whole array: open, closed with events latched, or off (raises are refused). */
    static final int OPEN = 0;
    static final int LATCHING = 1;
    static final int OFF = 2;

    private static final int MASKED = 1;
    private static final int PENDING = 2;
    private static final int ONE_IN_FLIGHT = 1 << 8;

    private final int size;
    private final AtomicIntegerArray words;   // per entry: address lo, address hi, data
    private final AtomicIntegerArray state;   // per entry: MASKED | PENDING | raises under way << 8
    private final IntSupplier gate;
    private final DevicePort port;
    private final String offMessage;

    MessageEntries(int size, IntSupplier gate, DevicePort port, String offMessage) {
        this.size = size;
        this.words = new AtomicIntegerArray(3 * size);
        this.state = new AtomicIntegerArray(size);
        this.gate = gate;
        this.port = port;
        this.offMessage = offMessage;
        for (int i = 0; i < size; i++) {
            state.set(i, MASKED); // reset: every entry masked (MSI-X vector control, IMS slots at reset)
        }
    }

    int size() {
        return size;
    }

    /** The entry raises its event (the hot path). */
    void raise(int i) {
        if (gate.getAsInt() == OFF) {
            throw new IllegalStateException(offMessage);
        }
        for (;;) {
            int s = state.get(i);
            if ((s & MASKED) != 0) {
                if ((s & PENDING) != 0) {
                    port.merged();
                    return;
                }
                if (state.compareAndSet(i, s, s | PENDING)) {
                    return;
                }
            } else if (state.compareAndSet(i, s, s + ONE_IN_FLIGHT)) {
                break;
            }
        }
        fire(i, true);
    }

    /** Counted in flight on entry i: send, or latch if the gate closed meanwhile. */
    private void fire(int i, boolean raised) {
        int g = gate.getAsInt();
        if (g == OPEN) {
            try {
                port.send((words.get(3 * i) & 0xFFFF_FFFFL) | ((long) words.get(3 * i + 1) << 32), words.get(3 * i + 2));
            } finally {
                state.addAndGet(i, -ONE_IN_FLIGHT);
            }
            return;
        }
        state.addAndGet(i, -ONE_IN_FLIGHT);
        if (g == OFF && raised) {
            throw new IllegalStateException(offMessage);
        }
        latch(i);
        if (gate.getAsInt() == OPEN) {
            deliverPending(i); // the gate opened after we looked: its opener may have scanned before the latch
        }
    }

    private void latch(int i) {
        for (;;) {
            int s = state.get(i);
            if ((s & PENDING) != 0) {
                port.merged();
                return;
            }
            if (state.compareAndSet(i, s, s | PENDING)) {
                return;
            }
        }
    }

    /** Sends the entry's latched event once, if it has one and is unmasked. */
    void deliverPending(int i) {
        for (;;) {
            int s = state.get(i);
            if ((s & PENDING) == 0 || (s & MASKED) != 0) {
                return;
            }
            if (state.compareAndSet(i, s, (s & ~PENDING) + ONE_IN_FLIGHT)) {
                break;
            }
        }
        fire(i, false);
    }

    /** Sets or clears the entry's mask bit: a mask returns after the raises under way; an unmask sends a latched event. */
    void mask(int i, boolean masked) {
        if (masked) {
            for (;;) {
                int s = state.get(i);
                if (state.compareAndSet(i, s, s | MASKED)) {
                    break;
                }
            }
            awaitQuiet(i);
        } else {
            for (;;) {
                int s = state.get(i);
                if (state.compareAndSet(i, s, s & ~MASKED)) {
                    break;
                }
            }
            deliverPending(i);
        }
    }

    /** After the gate closed: returns once no raise that saw it open is still sending. */
    void gateClosed() {
        for (int i = 0; i < size; i++) {
            awaitQuiet(i);
        }
    }

    /** After the gate opened: every unmasked entry sends its latched event once. */
    void gateOpened() {
        for (int i = 0; i < size; i++) {
            deliverPending(i);
        }
    }

    private void awaitQuiet(int i) {
        while (state.get(i) >= ONE_IN_FLIGHT) {
            Thread.onSpinWait();
        }
    }

    boolean masked(int i) {
        return (state.get(i) & MASKED) != 0;
    }

    boolean pending(int i) {
        return (state.get(i) & PENDING) != 0;
    }

    /** Word w (0 address lo, 1 address hi, 2 data) of entry i. */
    int word(int i, int w) {
        return words.get(3 * i + w);
    }

    void setWord(int i, int w, int value) {
        words.set(3 * i + w, value);
    }
}
