package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArgsTest {

    private static final String ALLOC = "msi:alloc DEVICE COUNT [VARIANT]";
    private static final String WRITE = "msi:write [--from DEVICE] ADDRESS DATA";

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void aWrongNumberOfArgumentsIsTheUsageLine() {
        assertEquals("usage: " + ALLOC, refusal(() -> Args.of(ALLOC, new String[] { "00:04.0" }, 2, 3)));
        assertEquals("usage: " + ALLOC, refusal(() -> Args.of(ALLOC, new String[] { "a", "1", "msi", "x" }, 2, 3)));
        assertEquals("usage: msi:devices", refusal(() -> Args.of("msi:devices", new String[] { "x" }, 0, 0)));
        assertEquals(0, Args.of("msi:devices", null, 0, 0).size());
    }

    @Test
    void aWrongTypeNamesTheArgumentAndGivesTheUsage() {
        Args a = Args.of(ALLOC, new String[] { "x", "y" }, 2, 3);
        assertEquals("COUNT 'y' is not a number; usage: " + ALLOC, refusal(() -> a.integer(1, "COUNT")));
        assertEquals(4, Args.of(ALLOC, new String[] { "x", "4" }, 2, 3).integer(1, "COUNT"));
        assertEquals(7, a.integer(2, "COUNT", 7));
        assertEquals("msix", Args.of(ALLOC, new String[] { "x", "4", "msix" }, 2, 3).text(2, ""));
    }

    @Test
    void hexIsReadWithOrWithoutItsPrefixAsMsiWritePrintsIt() {
        Args a = Args.of(WRITE, new String[] { "fee01000", "0x00000041" }, 2, 2);
        assertEquals(0xFEE0_1000L, a.hex(0, "ADDRESS", 64));
        assertEquals(0x41L, a.hex(1, "DATA", 32));
        assertEquals(0xFFFF_FFFFL, Args.of(WRITE, new String[] { "0", "FFFFFFFF" }, 2, 2).hex(1, "DATA", 32));
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL,
                Args.of(WRITE, new String[] { "0xffffffffffffffff", "0" }, 2, 2).hex(0, "ADDRESS", 64));
    }

    @Test
    void dataBeyond32BitsAndNonHexAreRefused() {
        Args wide = Args.of(WRITE, new String[] { "fee00000", "0x100000041" }, 2, 2);
        assertEquals("DATA 0x100000041 is wider than 32 bits; usage: " + WRITE, refusal(() -> wide.hex(1, "DATA", 32)));
        Args bad = Args.of(WRITE, new String[] { "fee0zz00", "0x", "-41" }, 2, 3);
        assertEquals("ADDRESS 'fee0zz00' is not a hexadecimal number; usage: " + WRITE, refusal(() -> bad.hex(0, "ADDRESS", 64)));
        assertEquals("DATA '0x' is not a hexadecimal number; usage: " + WRITE, refusal(() -> bad.hex(1, "DATA", 32)));
        assertEquals("DATA '-41' is not a hexadecimal number; usage: " + WRITE, refusal(() -> bad.hex(2, "DATA", 32)));
    }
}
