package org.msidomain.hw.irqchip;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A GICv3 Interrupt Translation Service (Arm IHI 0069, chapter 5), as Linux's {@code irq-gic-v3-its.c} drives it
 * and QEMU's {@code arm_gicv3_its.c} models it.
 *
 * <p>A device's message is a write of its EventID to {@code GITS_TRANSLATER}; the ITS takes the DeviceID from the
 * write's requester id, finds the event's interrupt translation entry (the LPI INTID and a collection) and makes
 * the LPI pending on the collection's CPU. The tables are programmed only through the command queue: a driver writes
 * 32-byte commands into the queue memory ({@link #writeCommand}) and then {@code GITS_CWRITER}
 * ({@link #writeCwriter}); the ITS executes every command up to it before the write returns and advances
 * {@code GITS_CREADR}. A command in error stalls the queue ({@link #CREADR_STALLED}) at that command until
 * {@code GITS_CWRITER} is written with {@link #CWRITER_RETRY}.
 *
 * <p>Command encodings (Linux {@code include/linux/irqchip/arm-gic-v3.h} and the {@code its_encode_*} helpers), in
 * the four 64-bit words of a command: dw0 bits 7:0 the command number, bits 63:32 the DeviceID; dw1 bits 31:0 the
 * EventID, bits 63:32 the pINTID, bits 4:0 (MAPD) the ITT size as EventID bits minus one; dw2 bit 63 Valid, bits
 * 51:16 the target redistributor (here {@code GITS_TYPER.PTA} is 0: the processor number, i.e. the CPU, in bits
 * 31:16, as Linux's {@code target_address = cpu << 16}), bits 15:0 the ICID (collection), bits 51:8 the ITT address.
 *
 * <p>LPIs are INTIDs {@value #LPI_BASE} and up. Their configuration is a byte each in memory ({@link #writeLpiConfig}:
 * bit 0 enable, bits 7:2 priority) that the ITS caches: a change takes effect only after an {@code INV} of an event
 * mapped to the LPI or an {@code INVALL} of its collection (followed by {@code SYNC}). An LPI that arrives while
 * disabled stays pending in its CPU's pending table and is delivered, once, when an invalidation finds it enabled.
 */
@ProviderType
public interface GicIts {

    /** The offset of {@code GITS_TRANSLATER} from the ITS base (in the second 64 KiB frame). */
    long TRANSLATER_OFFSET = 0x10040;
    /** The first LPI INTID. */
    int LPI_BASE = 8192;
    /** The size of a command in the queue, in bytes. */
    int COMMAND_SIZE = 32;
    /** {@code GITS_CREADR} bit 0: the queue stalled on a command error. */
    long CREADR_STALLED = 1;
    /** {@code GITS_CWRITER} bit 0: retry the stalled command. */
    long CWRITER_RETRY = 1;
    /** LPI configuration byte bit 0: enabled. */
    int LPI_ENABLE = 1;

    int CMD_MOVI = 0x01;
    int CMD_INT = 0x03;
    int CMD_CLEAR = 0x04;
    int CMD_SYNC = 0x05;
    int CMD_MAPD = 0x08;
    int CMD_MAPC = 0x09;
    int CMD_MAPTI = 0x0a;
    int CMD_MAPI = 0x0b;
    int CMD_INV = 0x0c;
    int CMD_INVALL = 0x0d;
    int CMD_DISCARD = 0x0f;

    /** The ITS's base address (its control frame). */
    long base();

    /** {@code GITS_TRANSLATER}: {@link #base()} + {@value #TRANSLATER_OFFSET}, where devices write their EventIDs. */
    long translaterAddress();

    /**
     * {@code GITS_TYPER}: bit 0 Physical, bits 7:4 ITT entry size minus one, bits 12:8 EventID bits minus one
     * ({@code IDbits}), bits 17:13 DeviceID bits minus one ({@code Devbits}), bit 19 PTA (0).
     */
    long typer();

    /** The LPIs the configuration table has: INTIDs {@value #LPI_BASE} to {@value #LPI_BASE} + lpiCount() - 1. */
    int lpiCount();

    /** The collections (ICIDs 0 to collections() - 1). */
    int collections();

    /** The command queue's size, in commands. */
    int commandQueueSize();

    /** Writes the command in queue slot {@code slot} (its bytes {@code slot * 32} and on) into the queue memory. */
    void writeCommand(int slot, long dw0, long dw1, long dw2, long dw3);

    /**
     * {@code GITS_CWRITER}: bits 19:5 the offset of the first command not to execute; bit 0 {@link #CWRITER_RETRY}.
     * Executes the commands from {@code GITS_CREADR} up to it before returning, unless the queue is stalled and
     * Retry is clear.
     */
    void writeCwriter(long value);

    /** {@code GITS_CREADR}: bits 19:5 the offset of the next command to execute, bit 0 {@link #CREADR_STALLED}. */
    long creadr();

    /** Writes the configuration byte of LPI {@code intid} in memory (bit 0 enable, bits 7:2 priority). */
    void writeLpiConfig(int intid, int config);

    /** The configuration byte of LPI {@code intid} in memory, as last written. */
    int lpiConfig(int intid);

    /** Whether LPI {@code intid} is pending in CPU {@code cpu}'s pending table. */
    boolean lpiPending(int cpu, int intid);

    /** Translation errors since boot: messages dropped for an unknown DeviceID, EventID or collection. */
    long translationErrors();

    /** The latest translation errors, oldest first (at most 16), each one line, e.g. {@code DeviceID 0x0010 not mapped}. */
    List<String> lastTranslationErrors();

    /** Why the queue stalled, one line, or null if it has not stalled since the last retry. */
    String commandError();
}
