package org.msidomain.app.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Watches the session's input for {@code q} without blocking: a line starting with {@code q} (the shell
 * reads lines: {@code q} then Enter), or the key itself where the terminal passes keys at once. It reads
 * only what is already available, so nothing is left blocked on the input when a refresh loop ends; the
 * bytes up to and including the {@code q} line are consumed, other lines typed meanwhile are ignored.
 */
final class QuitKey {

    private final InputStream in;
    private boolean lineStart = true;
    /** Keys arrive one by one (no Enter): any {@code q} quits. */
    private boolean singleKeys;

    QuitKey(InputStream in) {
        this.in = in;
    }

    void singleKeys(boolean single) {
        singleKeys = single;
    }

    /** Whether {@code q} has been typed since the last call. */
    boolean pressed() {
        if (in == null) {
            return false;
        }
        try {
            while (in.available() > 0) {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                if ((lineStart || singleKeys) && (b == 'q' || b == 'Q')) {
                    restOfLine();
                    return true;
                }
                lineStart = b == '\n' || b == '\r' || (lineStart && (b == ' ' || b == '\t'));
            }
        } catch (IOException closed) {
            return false; // no input: only the count or the end of the session stops the loop
        }
        return false;
    }

    private void restOfLine() throws IOException {
        while (in.available() > 0) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                return;
            }
        }
    }
}
