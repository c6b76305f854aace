package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;

/** The jobs' workload takes the devices of the machine once each, not the rows of msi:devices. */
class WorkloadTest {

    @Test
    void aDeviceWithSeveralStoragesIsTakenOnceAndAWaitingDeviceNotAtAll() {
        List<String> calls = new ArrayList<>();
        MsiDomain domain = proxy(MsiDomain.class, (p, m, args) -> switch (m.getName()) {
            case "devices" -> List.of(new DeviceInfo("00:04.0", "pci", BindingState.BOUND, "pci", 0, ""),
                    new DeviceInfo("00:04.0", "ims", BindingState.BOUND, "ims", 0, ""),
                    new DeviceInfo("nvme0", "", BindingState.WAITING, "", 0, "no bundle provides device kind 'nvme'"));
            case "maxVectors" -> 2;
            case "allocate" -> {
                calls.add("allocate " + args[0] + " " + args[1] + " '" + args[2] + "'");
                yield new int[] { 24, 25 };
            }
            case "cpuCount" -> 2;
            case "setAffinity", "setHandler" -> null;
            default -> throw new UnsupportedOperationException(m.getName());
        });
        HwDevice nic = proxy(HwDevice.class, (p, m, args) -> switch (m.getName()) {
            case "id" -> "00:04.0";
            case "storageType" -> "pci";
            default -> throw new UnsupportedOperationException(m.getName());
        });
        Machine machine = proxy(Machine.class, (p, m, args) -> switch (m.getName()) {
            case "device" -> args[0].equals("00:04.0") ? Optional.of(nic) : Optional.empty();
            default -> throw new UnsupportedOperationException(m.getName());
        });

        Workload w = Workload.allocate(domain, machine);

        assertEquals(List.of("allocate 00:04.0 2 ''"), calls);
        assertEquals(2, w.vectors.size());
    }

    @Test
    void aDeviceTheParentHasNoRoomForGetsOneVectorAsADriverFallsBack() {
        // a GICv2m frame with too few aligned SPIs for AHCI's 16-vector MSI block: ahci_init_msi takes a single MSI
        List<String> calls = new ArrayList<>();
        MsiDomain domain = proxy(MsiDomain.class, (p, m, args) -> switch (m.getName()) {
            case "devices" -> List.of(new DeviceInfo("00:1f.2", "pci", BindingState.BOUND, "pci", 0, ""));
            case "maxVectors" -> 16;
            case "allocate" -> {
                calls.add("allocate " + args[0] + " " + args[1]);
                if ((int) args[1] > 1) {
                    throw new IllegalStateException("no 16 aligned free SPIs left in the GICv2m frame (SPIs 80-143)"
                            + " for the MSI block of 00:1f.2");
                }
                yield new int[] { 24 };
            }
            case "cpuCount" -> 4;
            case "setAffinity", "setHandler" -> null;
            default -> throw new UnsupportedOperationException(m.getName());
        });
        HwDevice ahci = proxy(HwDevice.class, (p, m, args) -> switch (m.getName()) {
            case "id" -> "00:1f.2";
            case "storageType" -> "pci";
            default -> throw new UnsupportedOperationException(m.getName());
        });
        Machine machine = proxy(Machine.class, (p, m, args) -> switch (m.getName()) {
            case "device" -> Optional.of(ahci);
            default -> throw new UnsupportedOperationException(m.getName());
        });

        Workload w = Workload.allocate(domain, machine);

        assertEquals(List.of("allocate 00:1f.2 16", "allocate 00:1f.2 1"), calls);
        assertEquals(1, w.vectors.size());
        assertEquals(24, w.vectors.get(0).irq());
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(WorkloadTest.class.getClassLoader(), new Class<?>[] { type }, (p, m, args) -> {
            if (m.isDefault()) {
                return InvocationHandler.invokeDefault(p, m, args);
            }
            return handler.invoke(p, m, args);
        });
    }
}
