package org.msidomain.its.internal;

import org.msidomain.hw.irqchip.GicIts;

/**
 * The driver's side of the ITS command queue, as Linux's {@code irq-gic-v3-its.c} uses it: commands are encoded as
 * the {@code its_encode_*} helpers do (command 7:0 and DeviceID 63:32 of dw0; EventID 31:0, pINTID 63:32, ITT size
 * 4:0 of dw1; Valid 63, target 51:16, ITT address 51:8, ICID 15:0 of dw2), a batch is written at the queue's write
 * slots and posted by moving {@code GITS_CWRITER} past it ({@code its_send_single_command}: the command, then a
 * SYNC). After each batch {@code GITS_CREADR} is read: a stalled queue becomes an {@link IllegalStateException}
 * naming the command error, and the next batch overwrites the stalled command and posts with Retry, so one bad
 * command does not wedge the queue. Control path only (the domain's control lock); not thread-safe.
 */
final class ItsCommandQueue {

    private static final long VALID = 1L << 63;

    private final GicIts its;
    private final int size;
    /** The slot the next command goes to (Linux's {@code cmd_write}). */
    private int write;
    /** The queue stalled on the last batch: post the next one with Retry. */
    private boolean retry;

    ItsCommandQueue(GicIts its) {
        this.its = its;
        this.size = its.commandQueueSize();
        reset();
    }

    /** Writes from where the idle ITS reads next ({@code GITS_CREADR}; 0 after a reset). */
    void reset() {
        write = (int) ((its.creadr() & 0xF_FFE0L) / GicIts.COMMAND_SIZE);
        retry = (its.creadr() & GicIts.CREADR_STALLED) != 0;
    }

    /** A batch of commands posted with one {@code GITS_CWRITER} write. */
    Batch batch() {
        return new Batch();
    }

    final class Batch {

        private int count;

        private Batch put(long dw0, long dw1, long dw2) {
            if (count == size - 1) {
                throw new IllegalStateException("an ITS command batch of " + size + " commands fills the queue");
            }
            its.writeCommand((write + count) % size, dw0, dw1, dw2, 0);
            count++;
            return this;
        }

        /** {@code its_build_mapd_cmd}: the ITT holds {@code ites} (a power of two) events; size = ilog2 - 1. */
        Batch mapd(int deviceId, int ites, long itt, boolean valid) {
            return put(GicIts.CMD_MAPD | (long) deviceId << 32, Integer.numberOfTrailingZeros(ites) - 1,
                    (valid ? VALID : 0) | (itt & 0x000F_FFFF_FFFF_FF00L));
        }

        /** {@code its_build_mapc_cmd}: collection {@code icid} to the redistributor of {@code cpu} (PTA = 0). */
        Batch mapc(int icid, int cpu) {
            return put(GicIts.CMD_MAPC, 0, VALID | (long) cpu << 16 | icid);
        }

        /** {@code its_build_invall_cmd}. */
        Batch invall(int icid) {
            return put(GicIts.CMD_INVALL, 0, icid);
        }

        /** {@code its_build_mapti_cmd}. */
        Batch mapti(int deviceId, int eventId, int lpi, int icid) {
            return put(GicIts.CMD_MAPTI | (long) deviceId << 32, (long) lpi << 32 | (eventId & 0xFFFF_FFFFL), icid);
        }

        /** {@code its_build_movi_cmd}. */
        Batch movi(int deviceId, int eventId, int icid) {
            return put(GicIts.CMD_MOVI | (long) deviceId << 32, eventId & 0xFFFF_FFFFL, icid);
        }

        /** {@code its_build_inv_cmd}. */
        Batch inv(int deviceId, int eventId) {
            return put(GicIts.CMD_INV | (long) deviceId << 32, eventId & 0xFFFF_FFFFL, 0);
        }

        /** {@code its_build_discard_cmd}. */
        Batch discard(int deviceId, int eventId) {
            return put(GicIts.CMD_DISCARD | (long) deviceId << 32, eventId & 0xFFFF_FFFFL, 0);
        }

        /** {@code its_build_sync_cmd}: the redistributor of {@code cpu}. */
        Batch sync(int cpu) {
            return put(GicIts.CMD_SYNC, 0, (long) cpu << 16);
        }

        /**
         * Posts the batch ({@code its_post_commands}) and checks {@code GITS_CREADR}.
         *
         * @throws IllegalStateException if the queue stalled: the ITS's command error
         */
        void post() {
            write = (write + count) % size;
            its.writeCwriter((long) write * GicIts.COMMAND_SIZE | (retry ? GicIts.CWRITER_RETRY : 0));
            long creadr = its.creadr();
            retry = (creadr & GicIts.CREADR_STALLED) != 0;
            if (retry) {
                // the next batch starts at the stalled command, replacing it and what followed it
                write = (int) ((creadr & 0xF_FFE0L) / GicIts.COMMAND_SIZE);
                throw new IllegalStateException("the ITS command queue stalled: " + its.commandError());
            }
        }
    }
}
