package org.msidomain.hw.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The keys the translation accepts are the attributes the metatype describes, and no others. */
class ConfigKeysTest {

    private static Set<String> attributes(Class<?> ocd) {
        return Arrays.stream(ocd.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
    }

    @Test
    void everyPidAcceptsExactlyItsMetatypeAttributes() {
        assertEquals(attributes(MachineConfiguration.class), Set.copyOf(ConfigKeys.MACHINE));
        assertEquals(attributes(PciDeviceConfiguration.class), Set.copyOf(ConfigKeys.PCI));
        assertEquals(attributes(PlatformDeviceConfiguration.class), Set.copyOf(ConfigKeys.PLATFORM));
        assertEquals(attributes(DmarUnitConfiguration.class), Set.copyOf(ConfigKeys.DMAR));
        assertEquals(attributes(DeviceConfiguration.class), Set.copyOf(ConfigKeys.DEVICE), "and property.KEY");
        assertEquals(List.of("org.msidomain.machine.pci", "org.msidomain.machine.platform", "org.msidomain.machine.dmar",
                "org.msidomain.machine.device"), MachineOverlay.FACTORY_PIDS);
        assertEquals("(|(service.pid=org.msidomain.machine)(service.factoryPid=org.msidomain.machine.pci)"
                + "(service.factoryPid=org.msidomain.machine.platform)(service.factoryPid=org.msidomain.machine.dmar)"
                + "(service.factoryPid=org.msidomain.machine.device))", MachineOverlay.FILTER);
    }
}
