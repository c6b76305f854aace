package org.example.ntb.device;

import static org.example.ntb.device.NtbRegisters.NONE;
import static org.example.ntb.device.NtbRegisters.dataSpad;
import static org.example.ntb.device.NtbRegisters.offsetSpad;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.msidomain.hw.DevicePort;

/**
 * The simulated peer host and the scratchpads it shares with the local side. The peer triggers vector i as
 * Linux's {@code ntb_msi_peer_trigger} does: it writes the data it was handed into its memory window at the
 * handed offset. It reads the pair from the scratchpads at every trigger (ntb_msi_test copies them at the
 * doorbell; reading them each time is the stricter model: a trigger between the local side's two scratchpad
 * writes sees the pair half-updated, as a device sees a half-written MSI message).
 *
 * <p>A trigger for a vector not handed yet (SPAD0 not covering it, or its offset scratchpad {@code NONE}) is
 * held by the peer, one pending bit per vector (a second one merges into it), and sent when the local side
 * rings the doorbell with the vector handed. The trigger path is allocation-free and lock-free: volatile reads
 * of the scratchpads, and compare-and-set only on the pending bit and the doorbell.
 */
final class Peer {

    private final AtomicIntegerArray spads;
    private final AtomicIntegerArray pending;
    private final AtomicInteger doorbell = new AtomicInteger();
    private final MemoryWindow window;
    private final DevicePort port;
    /** The vectors the scratchpads can carry: SPAD0 and a pair per vector. */
    private final int handable;

    Peer(int scratchpads, int vectors, MemoryWindow window, DevicePort port) {
        this.spads = new AtomicIntegerArray(scratchpads);
        for (int i = 0; i < scratchpads; i++) {
            spads.set(i, NONE);
        }
        this.pending = new AtomicIntegerArray(vectors);
        this.window = window;
        this.port = port;
        this.handable = scratchpads < 3 ? 0 : Math.min(vectors, (scratchpads - 1) / 2);
    }

    int scratchpads() {
        return spads.length();
    }

    int readSpad(int n) {
        return spads.get(n);
    }

    void writeSpad(int n, int value) {
        spads.set(n, value);
    }

    int doorbell() {
        return doorbell.get();
    }

    /** The local side rings the peer's doorbell: the peer looks at the scratchpads again for what it holds. */
    void ring(int bits) {
        if (bits == 0) {
            return;
        }
        doorbell.getAndUpdate(db -> db | bits);
        for (int i = 0; i < pending.length(); i++) {
            if (pending.get(i) != 0) {
                release(i);
            }
        }
    }

    /** The peer raises vector {@code index}: sent through the window if handed, else held. */
    void trigger(int index) {
        if (send(index)) {
            return;
        }
        if (pending.getAndSet(index, 1) != 0) {
            port.merged();
            return;
        }
        release(index); // a handoff between the first look and the latch would not have seen the bit
    }

    /** Sends a held trigger if the vector is handed now; exactly one of the racing callers takes the bit. */
    private void release(int index) {
        while (handed(index) && pending.getAndSet(index, 0) != 0) {
            if (send(index)) {
                return;
            }
            if (pending.getAndSet(index, 1) != 0) { // taken back meanwhile and another trigger came: one event
                port.merged();
            }
        }
    }

    private boolean handed(int index) {
        if (index >= handable) {
            return false;
        }
        int count = spads.get(0);
        return count != NONE && Integer.compareUnsigned(index, count) < 0 && spads.get(offsetSpad(index)) != NONE;
    }

    /** Reads the handed pair and writes it through the window; false if the vector is not handed. */
    private boolean send(int index) {
        if (doorbell.get() != 0) {
            doorbell.set(0); // the peer has seen the ring: it reads the scratchpads below
        }
        if (index >= handable) {
            return false;
        }
        int count = spads.get(0);
        if (count == NONE || Integer.compareUnsigned(index, count) >= 0) {
            return false;
        }
        int offset = spads.get(offsetSpad(index));
        if (offset == NONE) {
            return false;
        }
        window.write(offset, spads.get(dataSpad(index)), index);
        return true;
    }
}
