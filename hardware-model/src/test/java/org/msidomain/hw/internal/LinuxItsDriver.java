package org.msidomain.hw.internal;

import org.msidomain.hw.irqchip.GicIts;

/**
 * Commands built as Linux's {@code its_build_*_cmd} build them ({@code drivers/irqchip/irq-gic-v3-its.c},
 * {@code its_encode_*}: command 7:0 and DeviceID 63:32 of dw0; EventID 31:0, pINTID 63:32, size 4:0 of dw1;
 * Valid 63, target 51:16, ITT 51:8, ICID 15:0 of dw2) and sent as {@code its_send_single_command} sends them:
 * written at the queue's write slot, then GITS_CWRITER moved past it. The target of a collection is the CPU number
 * shifted by 16 ({@code GITS_TYPER.PTA} clear).
 */
final class LinuxItsDriver {

    private final GicIts its;
    private int slot;

    LinuxItsDriver(GicIts its) {
        this.its = its;
    }

    /** The offset GITS_CWRITER was last moved to. */
    long cwriter() {
        return (long) slot * GicIts.COMMAND_SIZE;
    }

    /** Writes the command and GITS_CWRITER past it; returns GITS_CREADR afterwards. */
    long send(long dw0, long dw1, long dw2) {
        its.writeCommand(slot, dw0, dw1, dw2, 0);
        slot = (slot + 1) % its.commandQueueSize();
        its.writeCwriter(cwriter());
        return its.creadr();
    }

    /** {@code its_build_mapd_cmd}: size = ilog2(nr_ites) - 1. */
    long mapd(int deviceId, int nrItes, long itt, boolean valid) {
        return send(GicIts.CMD_MAPD | (long) deviceId << 32, Integer.numberOfTrailingZeros(nrItes) - 1,
                (valid ? 1L << 63 : 0) | (itt & 0x000F_FFFF_FFFF_FF00L));
    }

    long mapc(int icid, int cpu) {
        return send(GicIts.CMD_MAPC, 0, 1L << 63 | (long) cpu << 16 | icid);
    }

    long mapti(int deviceId, int eventId, int intid, int icid) {
        return send(GicIts.CMD_MAPTI | (long) deviceId << 32, (long) intid << 32 | eventId, icid);
    }

    long mapi(int deviceId, int eventId, int icid) {
        return send(GicIts.CMD_MAPI | (long) deviceId << 32, eventId, icid);
    }

    long movi(int deviceId, int eventId, int icid) {
        return send(GicIts.CMD_MOVI | (long) deviceId << 32, eventId, icid);
    }

    long inv(int deviceId, int eventId) {
        return send(GicIts.CMD_INV | (long) deviceId << 32, eventId, 0);
    }

    long invall(int icid) {
        return send(GicIts.CMD_INVALL, 0, icid);
    }

    long discard(int deviceId, int eventId) {
        return send(GicIts.CMD_DISCARD | (long) deviceId << 32, eventId, 0);
    }

    long interrupt(int deviceId, int eventId) {
        return send(GicIts.CMD_INT | (long) deviceId << 32, eventId, 0);
    }

    long clear(int deviceId, int eventId) {
        return send(GicIts.CMD_CLEAR | (long) deviceId << 32, eventId, 0);
    }

    /** {@code its_build_sync_cmd}: the target redistributor of the collection just used. */
    long sync(int cpu) {
        return send(GicIts.CMD_SYNC, 0, (long) cpu << 16);
    }
}
