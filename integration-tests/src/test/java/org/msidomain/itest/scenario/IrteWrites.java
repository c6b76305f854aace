package org.msidomain.itest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Optional;

import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.Machine;

/** What the remapping tests read of the entries the domain programs: the writes on their way, and the handles. */
final class IrteWrites {

    /** Told of every entry write, before the unit gets it. */
    interface Listener {
        void written(int index, long low, long high);
    }

    private IrteWrites() {
    }

    /** The machine as the domain sees it, with its remapping unit's entry writes told to {@code listener} on the way. */
    static Machine recording(Machine real, Listener listener) {
        InterruptRemapping unit = real.remapping().orElseThrow();
        InterruptRemapping recording = new InterruptRemapping() {
            @Override
            public int tableSize() {
                return unit.tableSize();
            }

            @Override
            public void writeEntry(int index, long low, long high) {
                listener.written(index, low, high);
                unit.writeEntry(index, low, high);
            }

            @Override
            public void invalidate() {
                unit.invalidate();
            }
        };
        return (Machine) Proxy.newProxyInstance(Machine.class.getClassLoader(), new Class<?>[] { Machine.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("remapping") && method.getParameterCount() == 0) {
                        return Optional.of(recording);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The IRTE handle a remappable-format address carries (VT-d 5.1.5.2: bits 19:5 = handle 14:0, bit 2 = handle 15). */
    static int handle(int addressLo) {
        assertEquals(0x18, addressLo & 0x18, "remappable format (bit 4) with SHV (bit 3): " + Integer.toHexString(addressLo));
        return (addressLo >>> 5) & 0x7FFF | ((addressLo >>> 2) & 1) << 15;
    }
}
