package org.msidomain.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** A millisecond setting: typed or a .cfg string; anything else refused in one line, the default kept. */
class MillisTest {

    private static final String PID = "org.msidomain.health.devices";
    private static final String KEY = "unbound.warn.ms";

    private static Millis read(Object value) {
        return Millis.read(value == null ? Map.of() : Map.of(KEY, value), PID, KEY, 30_000, 0);
    }

    @Test
    void typedValuesAndCfgStringsAreAccepted() {
        assertEquals(new Millis(500, null), read(500L));
        assertEquals(new Millis(500, null), read(500));
        assertEquals(new Millis(750, null), read(" 750 "));
        assertEquals(new Millis(0, null), read("0"));
        assertEquals(new Millis(30_000, null), read(null), "absent: the default");
    }

    @Test
    void aValueThatIsNotAWholeNumberIsRefusedNamingThePidAndTheKey() {
        Millis soon = read("soon");
        assertEquals(30_000, soon.value(), "the default is used");
        assertEquals("org.msidomain.health.devices: unbound.warn.ms: 'soon' is not an integer", soon.refusal());
        assertEquals("configuration refused, the default 30000 ms is used: "
                + "org.msidomain.health.devices: unbound.warn.ms: 'soon' is not an integer", soon.warning());
        assertEquals("org.msidomain.health.devices: unbound.warn.ms: '1.5' is not an integer", read(1.5d).refusal());
        assertEquals("org.msidomain.health.devices: unbound.warn.ms: '2.5' is not an integer", read("2.5").refusal());
        assertEquals("org.msidomain.health.devices: unbound.warn.ms: 'true' is not an integer", read(true).refusal());
        assertEquals("org.msidomain.health.devices: unbound.warn.ms: 0 and up, not -5", read(-5L).refusal());
        assertNull(read(10L).refusal());
    }
}
