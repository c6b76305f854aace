package org.example.ntb.provider;

/** The bridge's region 0, from the datasheet (examples/ntb/README.md): the driver's own header. */
final class NtbRegs {

    static final int ID = 0x000;
    static final int SPAD_COUNT = 0x004;
    static final int PEER_DB_SET = 0x00C;
    static final int MW_SIZE = 0x010;
    static final int PEER_VECTORS = 0x014;
    static final int MW_XLAT_LO = 0x018;
    static final int MW_XLAT_HI = 0x01C;
    static final int SPAD_BASE = 0x100;

    static final int ID_VALUE = 0x4E54_4201;
    /** SPAD0: no vector handed; an offset scratchpad: no message. */
    static final int NONE = 0xFFFF_FFFF;
    /** The doorbell bit that tells the peer its descriptors changed (ntb_msi_test rings its port's bit). */
    static final int DB_DESC_CHANGED = 1;
    /** The local message window (x86: 0xFEE00000-0xFEEFFFFF), where the window is translated to. */
    static final long MESSAGE_WINDOW = 0xFEE0_0000L;

    private NtbRegs() {
    }

    static int spad(int n) {
        return SPAD_BASE + 4 * n;
    }

    /** Vector i's address offset goes to scratchpad 2i+1, its data to 2i+2 (as ntb_msi_test hands them). */
    static int offsetSpad(int index) {
        return spad(2 * index + 1);
    }

    static int dataSpad(int index) {
        return spad(2 * index + 2);
    }
}
