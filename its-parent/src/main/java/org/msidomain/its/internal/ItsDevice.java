package org.msidomain.its.internal;

import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.Map;

import org.msidomain.parent.ParentDevice;

/**
 * A DeviceID as the ITS driver knows it (Linux's {@code struct its_device}): its interrupt translation table (ITT),
 * sized when it is mapped, and which EventIDs its storages use. Storages that write with the same requester id share
 * it (Linux's {@code its_find_device} reuses the ITT of a DeviceID seen before). A storage takes an aligned block of
 * EventIDs, the size of its table rounded up to a power of two, so that EventID = the vector's index from the
 * block's base (0 for the first storage) and a multi-message block's events are the base plus the vector number.
 */
final class ItsDevice {

    /** Where the model's ITTs are said to live: one 1 MiB window per DeviceID (at most 2^16 events of 8 bytes). */
    private static final long ITT_MEMORY = 0x40_0000_0000L;

    final int deviceId;
    /** ITT entries: a power of two, at least 2 ({@code its_create_device}: {@code nr_ites = max(2, nvecs)}). */
    final int ites;
    private final BitSet events = new BitSet();
    /** Each storage's first EventID and its block size. */
    private final Map<ParentDevice, int[]> blocks = new IdentityHashMap<>();
    /** Each storage's events in use. */
    private final Map<ParentDevice, Integer> used = new IdentityHashMap<>();

    ItsDevice(int deviceId, int ites) {
        this.deviceId = deviceId;
        this.ites = ites;
    }

    /**
     * The ITT size Linux asks for a storage: {@code its_pci_msi_prepare} rounds the vector count up to a power of
     * two, at least 32 for DeviceID 0 (where broken systems alias every device); {@code its_pmsi_prepare} takes at
     * least 32 for other buses. Here the count is the storage's table size, as the ITT must hold every vector the
     * device may use.
     */
    static int ittSize(ParentDevice storage, int deviceId) {
        int min = !"pci".equals(storage.storageType()) || deviceId == 0 ? 32 : 2;
        return Math.max(min, roundUp(span(storage)));
    }

    /** The EventIDs a storage needs: its table, or its multi-message block if larger. */
    private static int span(ParentDevice storage) {
        return roundUp(Math.max(1, Math.max(storage.hwsize(), storage.blockSize())));
    }

    static int roundUp(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** The ITT's address in the command (256-byte aligned, {@code ITS_ITT_ALIGN}). */
    long itt() {
        return ITT_MEMORY + ((long) deviceId << 20);
    }

    /**
     * The EventID of a storage's vector {@code index}, taking the storage's block on its first vector.
     *
     * @throws IllegalStateException if the ITT has no free aligned block for the storage
     */
    int claim(ParentDevice storage, int index) {
        int[] block = blocks.get(storage);
        if (block == null) {
            int span = span(storage);
            int base = freeBlock(span);
            if (base < 0) {
                throw new IllegalStateException(storage.id() + ": the ITT of DeviceID " + String.format("0x%04x", deviceId)
                        + " (" + ites + " events, shared) has no free block of " + span + " EventIDs");
            }
            block = new int[] { base, span };
            blocks.put(storage, block);
            events.set(base, base + span);
        }
        if (index < 0 || index >= block[1]) {
            throw new IllegalStateException(storage.id() + ": vector " + index + " is beyond its " + block[1]
                    + " EventIDs");
        }
        used.merge(storage, 1, Integer::sum);
        return block[0] + index;
    }

    /** The first EventID of a storage's block (the data of a multi-message block's shared message). */
    int base(ParentDevice storage) {
        return blocks.get(storage)[0];
    }

    /** Gives back one event of a storage; its block goes with its last one. */
    void release(ParentDevice storage) {
        int left = used.merge(storage, -1, Integer::sum);
        if (left == 0) {
            used.remove(storage);
            int[] block = blocks.remove(storage);
            events.clear(block[0], block[0] + block[1]);
        }
    }

    /** Whether no storage uses the DeviceID any more (Linux then unmaps it: MAPD V=0). */
    boolean unused() {
        return blocks.isEmpty();
    }

    private int freeBlock(int span) {
        for (int base = 0; base + span <= ites; base += span) {
            int next = events.nextSetBit(base);
            if (next < 0 || next >= base + span) {
                return base;
            }
        }
        return -1;
    }
}
