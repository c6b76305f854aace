package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScriptRunnerTest {

    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        assertEquals(List.of("msi:alloc 00:04.0 2", "echo 'a;b'", "each [1;2] { x }"),
                ScriptRunner.split("msi:alloc 00:04.0 2; echo 'a;b';; each [1;2] { x }"));
    }

    @Test
    void theLineIsTheFirstMessageOfItsOwnNotTheRootCause() {
        Exception contained = new IllegalStateException("provider bad failed on ims0: NullPointerException: bug",
                new NullPointerException("bug"));
        assertEquals("provider bad failed on ims0: NullPointerException: bug", ScriptRunner.message(contained));
        assertEquals("bug", ScriptRunner.message(new InvocationTargetException(new NullPointerException("bug"))));
        assertEquals("no irq 9", ScriptRunner.message(new RuntimeException(new IllegalArgumentException("no irq 9"))));
        assertEquals("StackOverflowError", ScriptRunner.message(new StackOverflowError()));
    }
}
