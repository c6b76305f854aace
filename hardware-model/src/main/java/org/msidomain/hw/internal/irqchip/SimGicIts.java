package org.msidomain.hw.internal.irqchip;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.msidomain.hw.internal.AtomicBits;
import org.msidomain.hw.internal.InFlight;
import org.msidomain.hw.irqchip.GicIts;

/**
 * The GICv3 ITS model. Commands run under this object's lock, on the thread that writes {@code GITS_CWRITER};
 * translation ({@link #translate}) reads the tables they publish (atomic arrays) without any lock and allocates
 * nothing. The LPI configuration the ITS uses is a cache ({@link #enabled}) refreshed only by INV and INVALL, as
 * on hardware; the pending tables are one bit set per CPU (redistributor).
 *
 * <p>Deviations from hardware, as QEMU's model: commands complete when {@code GITS_CWRITER} is written (so SYNC
 * has nothing to wait for); the device table is 2^16 DeviceIDs and the collection table {@value #COLLECTIONS}
 * ICIDs, both inside the model (no {@code GITS_BASER} memory); an ITT lives in the model too, kept by a MAPD that
 * names the same ITT address and size. SYNC waits for the translations under way (one in-flight count for the
 * ITS: two atomic adds a message), so after MOVI + SYNC no message reaches the old CPU; an LPI pending on a CPU
 * that is no longer its collection's is taken as pending on the current one. Unlike QEMU, which drops a command with bad parameters and goes on, every
 * command error stalls the queue (a choice the architecture allows) so that a driver's bug shows.
 */
public final class SimGicIts implements GicIts {

    static final int DEVICE_ID_BITS = 16;
    static final int EVENT_ID_BITS = 16;
    static final int COLLECTIONS = 256;
    /** Linux's ITS_CMD_QUEUE_SZ, 64 KiB. */
    static final int QUEUE_COMMANDS = 2048;
    static final int ITT_ENTRY_SIZE = 8;

    /** Translation outcomes, in bits 63:56 of {@link #translate}'s result. */
    public static final int DELIVERED = 1;
    public static final int PENDING = 2;
    public static final int NO_REQUESTER = 3;
    public static final int DEVICE_UNMAPPED = 4;
    public static final int EVENT_BEYOND_ITT = 5;
    public static final int EVENT_UNMAPPED = 6;
    public static final int COLLECTION_UNMAPPED = 7;

    private static final long VALID = 1L << 63;

    private final long base;
    private final int lpis;
    private final Cpus cpus;
    private final AtomicReferenceArray<Itt> devices = new AtomicReferenceArray<>(1 << DEVICE_ID_BITS);
    /** The target CPU + 1 of each collection; 0: not mapped. */
    private final AtomicIntegerArray collections = new AtomicIntegerArray(COLLECTIONS);
    /** The LPI configuration table in memory, a byte per LPI. */
    private final AtomicIntegerArray config;
    /** The ITS's cached enable bits: the configuration as of the last INV/INVALL. */
    private final AtomicBits enabled;
    private final AtomicBits[] pending;

    /** The command queue memory, four words a command; guarded by this. */
    private final long[] queue = new long[QUEUE_COMMANDS * 4];
    private long readOffset; // guarded by this
    private boolean stalled; // guarded by this
    private String commandError; // guarded by this
    private volatile long creadr;

    /** Translations under way, so SYNC returns only once those begun before it have delivered. */
    private final InFlight translating = new InFlight();

    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong errorSeq = new AtomicLong();
    /** The last errors, packed: reason in bits 63:56, DeviceID 47:32, EventID 31:0. */
    private final AtomicLongArray lastErrors = new AtomicLongArray(16);

    /** A device's interrupt translation table: entries VALID | ICID << 32 | pINTID, 0 when unmapped. */
    private static final class Itt {
        final long address;
        final AtomicLongArray entries;

        Itt(long address, int events) {
            this.address = address;
            this.entries = new AtomicLongArray(events);
        }
    }

    /**
     * @param base the ITS base (64 KiB aligned)
     * @param lpis the LPIs of the configuration table (INTIDs 8192 and up)
     */
    public SimGicIts(long base, int lpis, Cpus cpus) {
        this.base = base;
        this.lpis = lpis;
        this.cpus = cpus;
        this.config = new AtomicIntegerArray(lpis);
        this.enabled = new AtomicBits(lpis);
        this.pending = new AtomicBits[cpus.count()];
        for (int i = 0; i < pending.length; i++) {
            pending[i] = new AtomicBits(lpis);
        }
    }

    // ---- translation: the hot path ----

    /**
     * A write of {@code eventId} to GITS_TRANSLATER by {@code requesterId} (the DeviceID). Lock- and allocation-free.
     *
     * @return the outcome in bits 63:56 ({@link #DELIVERED}, {@link #PENDING} or an error), the CPU in bits 55:32,
     *         the LPI INTID in bits 31:0
     */
    public long translate(int requesterId, int eventId) {
        int phase = translating.begin();
        try {
            return translateNow(requesterId, eventId);
        } finally {
            translating.end(phase);
        }
    }

    private long translateNow(int requesterId, int eventId) {
        if (requesterId < 0) {
            return error(NO_REQUESTER, 0, eventId);
        }
        int deviceId = requesterId & 0xFFFF;
        Itt itt = devices.get(deviceId);
        if (itt == null) {
            return error(DEVICE_UNMAPPED, deviceId, eventId);
        }
        if (eventId < 0 || eventId >= itt.entries.length()) {
            return error(EVENT_BEYOND_ITT, deviceId, eventId);
        }
        long ite = itt.entries.get(eventId);
        if (ite == 0) {
            return error(EVENT_UNMAPPED, deviceId, eventId);
        }
        int intid = (int) ite;
        int cpu = collections.get((int) (ite >>> 32) & 0xFFFF) - 1;
        if (cpu < 0) {
            return error(COLLECTION_UNMAPPED, deviceId, eventId);
        }
        return ((long) signal(cpu, intid) << 56) | ((long) cpu << 32) | intid;
    }

    /** LPI {@code intid} becomes pending on {@code cpu}'s redistributor: delivered now if the ITS has it enabled. */
    private int signal(int cpu, int intid) {
        int lpi = intid - LPI_BASE;
        if (enabled.get(lpi)) {
            cpus.deliver(cpu, intid);
            return DELIVERED;
        }
        if (!pending[cpu].set(lpi)) {
            cpus.merged(cpu, intid); // already pending: one delivery for both
        }
        // an INV may have enabled it between the check and the set: then it is delivered here
        if (enabled.get(lpi) && pending[cpu].testAndClear(lpi)) {
            cpus.deliver(cpu, intid);
            return DELIVERED;
        }
        return PENDING;
    }

    private long error(int reason, int deviceId, int eventId) {
        errors.incrementAndGet();
        long n = errorSeq.getAndIncrement();
        lastErrors.set((int) (n & 15), ((long) reason << 56) | ((long) deviceId << 32) | (eventId & 0xFFFF_FFFFL));
        cpus.lostOne();
        return ((long) reason << 56) | ((long) deviceId << 32) | (eventId & 0xFFFF_FFFFL);
    }

    /** One line for an error outcome of {@link #translate}, e.g. {@code DeviceID 0x0010 not mapped}. */
    public static String describe(long outcome) {
        int reason = (int) (outcome >>> 56);
        int deviceId = (int) (outcome >>> 32) & 0xFFFF;
        long eventId = outcome & 0xFFFF_FFFFL;
        return switch (reason) {
            case NO_REQUESTER -> "the write carries no requester id (DeviceID)";
            case DEVICE_UNMAPPED -> String.format("DeviceID 0x%04x not mapped", deviceId);
            case EVENT_BEYOND_ITT -> String.format("EventID %d beyond the ITT of DeviceID 0x%04x", eventId, deviceId);
            case EVENT_UNMAPPED -> String.format("EventID %d of DeviceID 0x%04x not mapped", eventId, deviceId);
            case COLLECTION_UNMAPPED -> String.format("the collection of EventID %d of DeviceID 0x%04x not mapped", eventId, deviceId);
            default -> "translated";
        };
    }

    // ---- the command queue ----

    @Override
    public synchronized void writeCommand(int slot, long dw0, long dw1, long dw2, long dw3) {
        if (slot < 0 || slot >= QUEUE_COMMANDS) {
            throw new IllegalArgumentException("command slot " + slot + " out of the queue's 0-" + (QUEUE_COMMANDS - 1));
        }
        queue[slot * 4] = dw0;
        queue[slot * 4 + 1] = dw1;
        queue[slot * 4 + 2] = dw2;
        queue[slot * 4 + 3] = dw3;
    }

    @Override
    public synchronized void writeCwriter(long value) {
        long offset = value & 0xF_FFE0L;
        if (offset >= (long) QUEUE_COMMANDS * COMMAND_SIZE) {
            stall(String.format("GITS_CWRITER offset 0x%x is beyond the %d-byte queue", offset, QUEUE_COMMANDS * COMMAND_SIZE));
            return;
        }
        if (stalled) {
            if ((value & CWRITER_RETRY) == 0) {
                return;
            }
            stalled = false;
            commandError = null;
        }
        while (readOffset != offset) {
            int slot = (int) (readOffset / COMMAND_SIZE);
            String problem = execute(queue[slot * 4], queue[slot * 4 + 1], queue[slot * 4 + 2]);
            if (problem != null) {
                stall(String.format("command 0x%02x at 0x%x: %s", queue[slot * 4] & 0xFF, readOffset, problem));
                return;
            }
            readOffset = (readOffset + COMMAND_SIZE) % ((long) QUEUE_COMMANDS * COMMAND_SIZE);
        }
        creadr = readOffset;
    }

    private void stall(String problem) {
        stalled = true;
        commandError = problem;
        creadr = readOffset | CREADR_STALLED;
    }

    @Override
    public long creadr() {
        return creadr;
    }

    @Override
    public synchronized String commandError() {
        return commandError;
    }

    /** One command; null if it succeeded, else what is wrong with it. */
    private String execute(long dw0, long dw1, long dw2) {
        int command = (int) (dw0 & 0xFF);
        long deviceId = dw0 >>> 32;
        int eventId = (int) dw1;
        long pintid = dw1 >>> 32;
        int icid = (int) (dw2 & 0xFFFF);
        boolean valid = (dw2 & VALID) != 0;
        long target = (dw2 >>> 16) & 0xF_FFFF_FFFFL; // bits 51:16; PTA = 0: the processor number
        switch (command) {
            case CMD_MAPD -> {
                if (deviceId >= (1 << DEVICE_ID_BITS)) {
                    return "DeviceID 0x" + Long.toHexString(deviceId) + " beyond the " + DEVICE_ID_BITS + " DeviceID bits";
                }
                if (!valid) {
                    devices.set((int) deviceId, null);
                    return null;
                }
                int bits = (int) (dw1 & 0x1F) + 1;
                if (bits > EVENT_ID_BITS) {
                    return "an ITT of " + bits + " EventID bits, beyond the " + EVENT_ID_BITS + " the ITS has";
                }
                long itt = dw2 & 0x000F_FFFF_FFFF_FF00L;
                Itt old = devices.get((int) deviceId);
                if (old == null || old.address != itt || old.entries.length() != 1 << bits) {
                    devices.set((int) deviceId, new Itt(itt, 1 << bits));
                }
                return null;
            }
            case CMD_MAPC -> {
                if (icid >= COLLECTIONS) {
                    return "ICID " + icid + " beyond the " + COLLECTIONS + " collections";
                }
                if (valid && target >= cpus.count()) {
                    return "target CPU " + target + " does not exist";
                }
                collections.set(icid, valid ? (int) target + 1 : 0);
                return null;
            }
            case CMD_MAPTI, CMD_MAPI -> {
                Itt itt = mappedDevice(deviceId);
                if (itt == null) {
                    return String.format("DeviceID 0x%04x not mapped", deviceId);
                }
                if (eventId < 0 || eventId >= itt.entries.length()) {
                    return "EventID " + Integer.toUnsignedString(eventId) + " beyond the device's ITT of " + itt.entries.length();
                }
                long intid = command == CMD_MAPI ? eventId & 0xFFFF_FFFFL : pintid;
                if (intid < LPI_BASE || intid >= LPI_BASE + lpis) {
                    return "pINTID " + intid + " is not an LPI of the table (" + LPI_BASE + "-" + (LPI_BASE + lpis - 1) + ")";
                }
                if (icid >= COLLECTIONS) {
                    return "ICID " + icid + " beyond the " + COLLECTIONS + " collections";
                }
                itt.entries.set(eventId, VALID | ((long) icid << 32) | intid);
                return null;
            }
            case CMD_MOVI -> {
                long ite = entry(deviceId, eventId);
                if (ite == 0) {
                    return String.format("EventID %d of DeviceID 0x%04x not mapped", eventId, deviceId);
                }
                if (icid >= COLLECTIONS || collections.get(icid) == 0) {
                    return "collection " + icid + " not mapped";
                }
                int from = collections.get((int) (ite >>> 32) & 0xFFFF) - 1;
                if (from < 0) {
                    return "the event's collection " + ((ite >>> 32) & 0xFFFF) + " not mapped";
                }
                int to = collections.get(icid) - 1;
                int intid = (int) ite;
                devices.get((int) deviceId).entries.set(eventId, VALID | ((long) icid << 32) | intid);
                if (from != to && takePendingElsewhere(to, intid - LPI_BASE)) {
                    signal(to, intid); // the pending state moves with the LPI (QEMU's gicv3_redist_mov_lpi)
                }
                return null;
            }
            case CMD_DISCARD, CMD_INV, CMD_INT, CMD_CLEAR -> {
                long ite = entry(deviceId, eventId);
                if (ite == 0) {
                    return String.format("EventID %d of DeviceID 0x%04x not mapped", eventId, deviceId);
                }
                int intid = (int) ite;
                int cpu = collections.get((int) (ite >>> 32) & 0xFFFF) - 1;
                if (command == CMD_DISCARD) {
                    devices.get((int) deviceId).entries.set(eventId, 0);
                    if (cpu >= 0) {
                        pending[cpu].testAndClear(intid - LPI_BASE);
                    }
                    return null;
                }
                if (cpu < 0) {
                    return "the event's collection " + ((ite >>> 32) & 0xFFFF) + " not mapped";
                }
                switch (command) {
                    case CMD_INV -> {
                        refresh(intid - LPI_BASE);
                        deliverIfEnabled(cpu, intid - LPI_BASE);
                    }
                    case CMD_INT -> signal(cpu, intid);
                    default -> pending[cpu].testAndClear(intid - LPI_BASE);
                }
                return null;
            }
            case CMD_INVALL -> {
                if (icid >= COLLECTIONS || collections.get(icid) == 0) {
                    return "collection " + icid + " not mapped";
                }
                int cpu = collections.get(icid) - 1;
                for (int lpi = 0; lpi < lpis; lpi++) {
                    refresh(lpi);
                }
                for (int lpi = 0; lpi < lpis; lpi++) {
                    if (enabled.get(lpi) && pending[cpu].testAndClear(lpi)) { // the collection's own pending LPIs
                        cpus.deliver(cpu, lpi + LPI_BASE);
                    }
                }
                return null;
            }
            case CMD_SYNC -> {
                if (target >= cpus.count()) {
                    return "target CPU " + target + " does not exist";
                }
                translating.drain(); // every translation begun before has delivered (or is pending)
                return null;
            }
            default -> {
                return "unknown command";
            }
        }
    }

    private Itt mappedDevice(long deviceId) {
        return deviceId < (1 << DEVICE_ID_BITS) ? devices.get((int) deviceId) : null;
    }

    /** The event's entry, or 0 if the device, the event or the entry is missing. */
    private long entry(long deviceId, int eventId) {
        Itt itt = mappedDevice(deviceId);
        return itt == null || eventId < 0 || eventId >= itt.entries.length() ? 0 : itt.entries.get(eventId);
    }

    /** The ITS reads an LPI's configuration byte again (INV, INVALL). */
    private void refresh(int lpi) {
        if ((config.get(lpi) & LPI_ENABLE) != 0) {
            enabled.set(lpi);
        } else {
            enabled.testAndClear(lpi);
        }
    }

    /**
     * A pending LPI that the ITS now has enabled is delivered to {@code cpu}, its collection's. A pending bit left on
     * another CPU by a translation that raced a MOVI (on hardware MOVI is atomic with translation) counts as this
     * one's, so it is never stranded.
     */
    private void deliverIfEnabled(int cpu, int lpi) {
        if (!enabled.get(lpi)) {
            return;
        }
        // every pending bit of the LPI is taken, not only the first found: a bit a racing translation left on a
        // former CPU beside the one here is the same LPI pending twice, one delivery and one merge
        boolean here = pending[cpu].testAndClear(lpi);
        boolean elsewhere = takePendingElsewhere(cpu, lpi);
        if (here && elsewhere) {
            cpus.merged(cpu, lpi + LPI_BASE);
        }
        if (here || elsewhere) {
            cpus.deliver(cpu, lpi + LPI_BASE);
        }
    }

    /** Clears the LPI's pending bit on every CPU but {@code cpu}; true if one was set. */
    private boolean takePendingElsewhere(int cpu, int lpi) {
        boolean was = false;
        for (int other = 0; other < pending.length; other++) {
            if (other != cpu && pending[other].testAndClear(lpi)) {
                if (was) {
                    cpus.merged(cpu, lpi + LPI_BASE); // two pending bits for one LPI: one delivery
                }
                was = true;
            }
        }
        return was;
    }

    /** Everything back to reset: no device, collection, event, pending LPI or command (a new domain takes over). */
    public synchronized void reset() {
        for (int i = 0; i < devices.length(); i++) {
            devices.set(i, null);
        }
        for (int i = 0; i < COLLECTIONS; i++) {
            collections.set(i, 0);
        }
        for (int i = 0; i < lpis; i++) {
            config.set(i, 0);
        }
        enabled.clearAll();
        for (AtomicBits p : pending) {
            p.clearAll();
        }
        java.util.Arrays.fill(queue, 0);
        readOffset = 0;
        stalled = false;
        commandError = null;
        creadr = 0;
    }

    // ---- registers and tables ----

    @Override
    public long base() {
        return base;
    }

    @Override
    public long translaterAddress() {
        return base + TRANSLATER_OFFSET;
    }

    @Override
    public long typer() {
        return 1L // Physical
                | (long) (ITT_ENTRY_SIZE - 1) << 4
                | (long) (EVENT_ID_BITS - 1) << 8
                | (long) (DEVICE_ID_BITS - 1) << 13;
    }

    @Override
    public int lpiCount() {
        return lpis;
    }

    @Override
    public int collections() {
        return COLLECTIONS;
    }

    @Override
    public int commandQueueSize() {
        return QUEUE_COMMANDS;
    }

    @Override
    public void writeLpiConfig(int intid, int value) {
        config.set(lpi(intid), value & 0xFF);
    }

    @Override
    public int lpiConfig(int intid) {
        return config.get(lpi(intid));
    }

    @Override
    public boolean lpiPending(int cpu, int intid) {
        if (cpu < 0 || cpu >= pending.length) {
            throw new IllegalArgumentException("CPU " + cpu + " out of range 0-" + (pending.length - 1));
        }
        return pending[cpu].get(lpi(intid));
    }

    private int lpi(int intid) {
        if (intid < LPI_BASE || intid >= LPI_BASE + lpis) {
            throw new IllegalArgumentException("INTID " + intid + " is not an LPI of the table (" + LPI_BASE + "-"
                    + (LPI_BASE + lpis - 1) + ")");
        }
        return intid - LPI_BASE;
    }

    @Override
    public long translationErrors() {
        return errors.get();
    }

    @Override
    public List<String> lastTranslationErrors() {
        long end = errorSeq.get();
        List<String> lines = new ArrayList<>();
        for (long n = Math.max(0, end - lastErrors.length()); n < end; n++) {
            lines.add(describe(lastErrors.get((int) (n & 15))));
        }
        return lines;
    }
}
