package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RefresherTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void offATerminalFramesFollowEachOtherEachWithAnEmptyLineAndNoEscapes() throws Exception {
        long start = System.nanoTime();
        int shown = new Refresher(out, Terminal.none(), null, 100, 3).run(n -> "frame " + n + "\nline\n");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(3, shown);
        assertEquals("frame 0\nline\n\nframe 1\nline\n\nframe 2\nline\n\n", output());
        assertTrue(ms >= 200, "two intervals between three frames: " + ms + " ms");
    }

    @Test
    void onATerminalEachFrameClearsTheScreenWithItsTerminfoSequence() throws Exception {
        // terminfo's clear for xterm is \E[H\E[2J (tput -T xterm clear), for ansi \E[H\E[J
        new Refresher(out, Terminal.ofType("xterm"), null, 100, 2).run(n -> "f" + n + "\n");
        assertEquals("\033[H\033[2Jf0\n\033[H\033[2Jf1\n", output());
        bytes.reset();
        new Refresher(out, Terminal.ofType("ansi"), null, 100, 1).run(n -> "f" + n + "\n");
        assertEquals("\033[H\033[Jf0\n", output());
    }

    @Test
    void aTerminalThatCannotClearGetsThePlainFrames() throws Exception {
        new Refresher(out, Terminal.ofType("dumb"), null, 100, 2).run(n -> "f" + n + "\n");
        assertEquals("f0\n\nf1\n\n", output());
        assertEquals(null, Terminal.ofType("dumb").eraseLine(), "no progress line on a dumb terminal");
        assertEquals("\r\033[K", Terminal.ofType("xterm").eraseLine(), "terminfo cr and el");
        assertEquals(null, Terminal.none().clearScreen());
    }

    @Test
    void anInterruptEndsTheViewLikeQ() throws Exception {
        Thread.currentThread().interrupt();
        int shown = new Refresher(out, Terminal.none(), null, 100, 0).run(n -> "f" + n + "\n");
        assertEquals(1, shown, "the frame before the interrupt, then back to the prompt");
        Thread.interrupted();
    }

    @Test
    void aQLineQuitsAndLeavesTheRestOfTheInput() throws Exception {
        ByteArrayInputStream keys = new ByteArrayInputStream("x\n  q\nmsi:devices\n".getBytes(StandardCharsets.US_ASCII));
        int shown = new Refresher(out, Terminal.none(), keys, 100, 0).run(n -> "f" + n + "\n");
        assertEquals(1, shown, "quit before the second frame");
        assertEquals("msi:devices\n", new String(keys.readAllBytes(), StandardCharsets.US_ASCII),
                "the lines after q are the next commands'");
    }

    @Test
    void qInsideALineIsNotAQuitInLineMode() {
        QuitKey key = new QuitKey(new ByteArrayInputStream("msi:freq\n".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(key.pressed());
    }

    @Test
    void intervalsAndCountsAreCheckedWithOneLine() {
        assertEquals(1000, Refresher.intervalMillis("-d", "1"));
        assertEquals(250, Refresher.intervalMillis("-d", "0.25"));
        assertEquals("-d 0: the interval is 0.1 to 3600 seconds",
                assertThrows(IllegalArgumentException.class, () -> Refresher.intervalMillis("-d", "0")).getMessage());
        assertEquals("--watch 1e9: the interval is 0.1 to 3600 seconds",
                assertThrows(IllegalArgumentException.class, () -> Refresher.intervalMillis("--watch", "1e9")).getMessage());
        assertEquals("-d fast: not a number of seconds",
                assertThrows(IllegalArgumentException.class, () -> Refresher.intervalMillis("-d", "fast")).getMessage());
        assertEquals(0, Refresher.count("-n", ""));
        assertEquals(2, Refresher.count("-n", "2"));
        assertEquals("-n 0: the count is a whole number, at least 1",
                assertThrows(IllegalArgumentException.class, () -> Refresher.count("-n", "0")).getMessage());
        assertEquals("0.5", Refresher.seconds(500));
        assertEquals("2", Refresher.seconds(2000));
    }
}
