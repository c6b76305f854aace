package org.msidomain.app.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Watches input that is no terminal (a pipe, or a terminal known only by its type) for a line starting
 * with {@code q}, without blocking: it reads only what is already available, so nothing is left blocked on
 * the input when a refresh loop ends; the bytes up to and including the {@code q} line are consumed, other
 * lines typed meanwhile are ignored. Keys on a real terminal come from JLine ({@link Terminal#keys}).
 */
final class QuitKey {

    private final InputStream in;
    private boolean lineStart = true;

    QuitKey(InputStream in) {
        this.in = in;
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
                if (lineStart && (b == 'q' || b == 'Q')) {
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
