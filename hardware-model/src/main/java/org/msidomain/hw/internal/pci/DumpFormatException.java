package org.msidomain.hw.internal.pci;

/** A dump that cannot be read; the message is one line naming the file (and line) and the problem. */
public final class DumpFormatException extends Exception {

    private static final long serialVersionUID = 1L;
    private final boolean notADump;

    public DumpFormatException(String message) {
        this(message, false);
    }

    private DumpFormatException(String message, boolean notADump) {
        super(message);
        this.notADump = notADump;
    }

    /** The input is not a dump at all (not a regular file, too large, nothing of a dump in it). */
    static DumpFormatException notADump(String message) {
        return new DumpFormatException(message, true);
    }

    /**
     * Whether the input is not a dump at all, rather than a damaged one: the wrong file was named, so it
     * refuses the description instead of being left out.
     */
    public boolean notADump() {
        return notADump;
    }
}
