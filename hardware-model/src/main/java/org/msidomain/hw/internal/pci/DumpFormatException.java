package org.msidomain.hw.internal.pci;

/** A dump that cannot be read; the message is one line naming the file (and line) and the problem. */
public final class DumpFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public DumpFormatException(String message) {
        super(message);
    }
}
