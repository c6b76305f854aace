package org.example.ntb.device;

/**
 * Region 0 of the bridge, as the README's datasheet gives it. Every register is 32 bits, little-endian,
 * at a naturally aligned offset. The provider keeps its own copy of these numbers, as a driver has its
 * own header: the two bundles share no class.
 */
final class NtbRegisters {

    /** RO: the bridge's identification, {@link #ID_VALUE}. */
    static final int ID = 0x000;
    /** RO: the number of scratchpad registers (0-257). */
    static final int SPAD_COUNT = 0x004;
    /** RO: the peer's doorbell bits rung by the local side and not yet seen by the peer. */
    static final int PEER_DB = 0x008;
    /** WO: write 1s to ring the peer's doorbell bits (Linux {@code ntb_peer_db_set}). Reads 0. */
    static final int PEER_DB_SET = 0x00C;
    /** RO: the size of the peer's memory window into this side, bytes (0: no window). */
    static final int MW_SIZE = 0x010;
    /** RO: the number of interrupt sources of the peer (its MSI indexes 0..n-1). */
    static final int PEER_VECTORS = 0x014;
    /** RW: the window's translated base, low dword; bits below the window size read 0 (ntb_mw_set_trans). */
    static final int MW_XLAT_LO = 0x018;
    /** RW: the window's translated base, high dword. */
    static final int MW_XLAT_HI = 0x01C;
    /** RO: peer writes the bridge dropped: beyond the window, unaligned, or no translation programmed. */
    static final int MW_ERRORS = 0x020;
    /** RW: scratchpad n at {@code SPAD_BASE + 4n}, shared by the two sides. */
    static final int SPAD_BASE = 0x100;
    /** The region's size. */
    static final int REGION_SIZE = 0x1000;

    /** "NTB" and the datasheet's revision 1. */
    static final int ID_VALUE = 0x4E54_4201;
    /** A scratchpad's reset value; in SPAD0 "no vector handed", in an offset scratchpad "no message". */
    static final int NONE = 0xFFFF_FFFF;
    /** At most this many scratchpads: SPAD0 and two per vector for 128 vectors. */
    static final int MAX_SPADS = 257;

    private NtbRegisters() {
    }

    /** The scratchpad holding vector {@code index}'s address offset (ntb_msi_test: 2i+1). */
    static int offsetSpad(int index) {
        return 2 * index + 1;
    }

    /** The scratchpad holding vector {@code index}'s data (ntb_msi_test: 2i+2). */
    static int dataSpad(int index) {
        return 2 * index + 2;
    }
}
