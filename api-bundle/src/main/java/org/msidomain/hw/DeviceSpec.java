package org.msidomain.hw;

import java.nio.file.Path;
import java.util.Map;

/**
 * One device entry of the machine description:
 * {@code {"kind": "KIND", "name": "NAME", "requesterId": "bb:dd.f", "properties": {...}}}.
 *
 * @param kind        the device kind, as registered with {@link DeviceKind#KIND}
 * @param name        the device id, unique in the machine ({@code [A-Za-z][A-Za-z0-9_.-]{0,31}}, or a PCI
 *                    address {@code bb:dd.f} for a PCI function, of any kind)
 * @param requesterId the PCI requester id its message writes carry (bus &lt;&lt; 8 | device &lt;&lt; 3 |
 *                    function), or -1 for none
 * @param properties  the kind-specific properties, as strings ({@code 4} in the description is {@code "4"}). A
 *                    kind refuses a key it does not know and a value it cannot parse with an
 *                    {@link IllegalArgumentException} naming the key and the problem, as the built-in kinds do:
 *                    the device then stays waiting and {@code msi:why} shows that line
 * @param base        the directory relative file names in the properties are resolved against (the
 *                    description's directory)
 * @since 1.1
 */
public record DeviceSpec(String kind, String name, int requesterId, Map<String, String> properties, Path base) {

    public DeviceSpec {
        properties = Map.copyOf(properties);
    }

    /**
     * A property, or the default if absent.
     */
    public String property(String key, String defaultValue) {
        return properties.getOrDefault(key, defaultValue);
    }
}
