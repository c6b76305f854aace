package org.msidomain.hw.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Files that are not regular files, for the tests of what the readers refuse to open. */
public final class TestFiles {

    private TestFiles() {
    }

    /** A named pipe made by mkfifo(1); the test is skipped where there is none. */
    public static Path fifo(Path path) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no mkfifo: " + e.getMessage());
            return null;
        }
        Assumptions.assumeTrue(p.waitFor() == 0 && Files.exists(path), "mkfifo failed");
        return path;
    }
}
