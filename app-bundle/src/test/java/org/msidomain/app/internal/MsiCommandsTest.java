package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;

/** The msi:* commands over a domain that reports several storages, declines and waiting devices. */
class MsiCommandsTest {

    /** 00:04.0 (pci, bound after a decline), 00:06.0 (pci and ims), nvme0 waiting for its kind. */
    private final List<DeviceInfo> rows = List.of(
            new DeviceInfo("00:04.0", "pci", BindingState.BOUND, "org.x.b", 0, "org.x.a declined: no IMS slots"),
            new DeviceInfo("00:06.0", "pci", BindingState.BOUND, "org.msidomain.provider.pci", 2, ""),
            new DeviceInfo("00:06.0", "ims", BindingState.UNBOUND, "", 0,
                    "declined by org.x.a: no IMS slots; declined by org.x.c: not behind this bridge"),
            new DeviceInfo("nvme0", "", BindingState.WAITING, "", 0, "no bundle provides device kind 'nvme-fake'"));
    private final List<String> allocations = new ArrayList<>();
    private final List<String> hotplugged = new ArrayList<>();
    private final List<org.msidomain.api.CpuInfo> cpus = List.of(new org.msidomain.api.CpuInfo(0, true, 3),
            new org.msidomain.api.CpuInfo(1, false, 0), new org.msidomain.api.CpuInfo(2, true, 12),
            new org.msidomain.api.CpuInfo(3, true, 0), new org.msidomain.api.CpuInfo(4, true, 0),
            new org.msidomain.api.CpuInfo(5, true, 0), new org.msidomain.api.CpuInfo(6, true, 0),
            new org.msidomain.api.CpuInfo(7, true, 0));
    /** What msi:affinity asked the domain for: "IRQ CPU" or "IRQ [CPUS]". */
    private final List<String> affinities = new ArrayList<>();
    private java.util.Set<Integer> mask = java.util.Set.of(0, 1, 2, 3, 4, 5, 6, 7);

    @SuppressWarnings("unchecked")
    private final MsiDomain domain = (MsiDomain) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { MsiDomain.class }, (proxy, method, args) -> switch (method.getName()) {
                case "devices" -> rows;
                case "awaitSettled" -> true;
                case "allocate" -> {
                    allocations.add(args[0] + " " + args[1] + " " + args[2]);
                    yield new int[] { 30, 31 };
                }
                case "allocateAffinity" -> {
                    allocations.add(args[0] + " " + args[1] + " " + args[2] + " spread " + args[3] + "," + args[4]);
                    yield new int[] { 30, 31 };
                }
                case "cpus" -> cpus;
                case "cpuOffline" -> {
                    hotplugged.add("offline " + args[0]);
                    yield null;
                }
                case "irq" -> Optional.of(info((int) args[0]));
                case "setHandler" -> null;
                case "cpuCount" -> 8;
                case "setAffinity" -> {
                    affinities.add(args[0] + " " + args[1]);
                    // the domain keeps the mask; the effective CPU (info's) stays 1, as a pending move shows it
                    mask = args[1] instanceof Integer cpu ? java.util.Set.of(cpu) : (java.util.Set<Integer>) args[1];
                    yield null;
                }
                case "affinityMask" -> mask;
                case "irqs" -> List.of(info(20), info(30));
                // 20-29: 00:06.0's default storage (pci), 30-39: its secondary one (ims), the index the last digit
                case "storageOf" -> (int) args[0] >= 30 ? "ims" : "pci";
                case "irqOf" -> args.length == 3 && args[1].equals("ims") ? 30 + (int) args[2] : 20 + (int) args[1];
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private final Machine machine = (Machine) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { Machine.class }, (proxy, method, args) -> switch (method.getName()) {
                case "device" -> args[0].equals("nvme0") ? Optional.empty() : Optional.of(device((String) args[0]));
                case "arch" -> "x86";
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private static IrqInfo info(int irq) {
        return new IrqInfo(irq, "00:06.0", irq % 10, "IR-IMS-0000:00:06.0", 1, 0x41 + irq % 10, MsiMsg.ZERO, false, false,
                List.of(0L, 0L), "");
    }

    /** What the devices raised: "DEVICE INDEX" for raise(index), "DEVICE STORAGE INDEX" for raise(storage, index). */
    private final List<String> raises = new ArrayList<>();

    private HwDevice device(String id) {
        return (HwDevice) Proxy.newProxyInstance(MsiCommandsTest.class.getClassLoader(), new Class<?>[] { HwDevice.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "storageType" -> "pci";
                    case "storageTypes" -> id.equals("00:06.0") ? List.of("pci", "ims") : List.of("pci");
                    case "raise" -> {
                        raises.add(id + " " + (args.length == 2 ? args[0] + " " + args[1] : args[0]));
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private final MsiCommands commands = new MsiCommands(domain, machine, null);

    /** The id of a target as each architecture names it (x86 vector in hex; GIC INTIDs and IMSIC identities in decimal). */
    @Test
    void aTargetIsNamedInItsArchitecturesWords() {
        assertEquals("vector 0x21", MsiCommands.target("x86", 0x21));
        assertEquals("LPI 8194", MsiCommands.target("arm64-gicv3-its", 8194));
        assertEquals("SPI 84", MsiCommands.target("arm64-gicv2m", 84));
        assertEquals("identity 3", MsiCommands.target("riscv-aia-imsic", 3));
    }

    @Test
    void fireReachesTheStorageNamedOrTheOneTheIrqBelongsTo() {
        assertEquals("00:06.0/1: fired 3", commands.fire("", "00:06.0", "1", "3"), "today's form: the default storage");
        assertEquals("00:06.0/ims/1: fired 1", commands.fire("ims", "00:06.0", "1"));
        assertEquals("00:06.0/ims/1: fired 2", commands.fire("", "31", "2"), "irq 31 is of storage ims");
        assertEquals("00:06.0/ims/1: fired 1", commands.fire("", "00:06.0/ims/1"));
        assertEquals("00:06.0/0: fired 1", commands.fire("", "00:06.0/0"), "DEVICE/INDEX: the default storage");
        assertEquals(List.of("00:06.0 1", "00:06.0 1", "00:06.0 1", "00:06.0 ims 1", "00:06.0 ims 1", "00:06.0 ims 1",
                "00:06.0 ims 1", "00:06.0 0"), raises);
        assertEquals("--storage hpet: device 00:06.0 has no storage hpet (it has pci, ims)",
                assertThrows(IllegalArgumentException.class, () -> commands.fire("hpet", "00:06.0", "0")).getMessage());
        assertEquals("--storage goes with DEVICE INDEX, not with an irq (whose storage is known); usage: msi:fire "
                + "[--storage TYPE] DEVICE INDEX [COUNT] | msi:fire IRQ [COUNT]",
                assertThrows(IllegalArgumentException.class, () -> commands.fire("ims", "31")).getMessage());
        assertEquals("usage: msi:fire [--storage TYPE] DEVICE INDEX [COUNT] | msi:fire IRQ [COUNT]",
                assertThrows(IllegalArgumentException.class, () -> commands.fire("", "00:06.0")).getMessage());
        assertEquals(8, raises.size(), "nothing raised by a refused command");
    }

    @Test
    void whyNamesWhoDeclinedWhenAnotherTookItAndWhenNoneDid() {
        assertEquals("00:04.0: bound to org.x.b (storage type pci; org.x.a declined: no IMS slots), 0 vectors; "
                + "nothing is waiting.", commands.why("00:04.0"));
        assertEquals("00:06.0: bound to org.msidomain.provider.pci (storage type pci), 2 vectors; nothing is waiting.\n"
                + "00:06.0 ims: unbound: declined by org.x.a: no IMS slots; declined by org.x.c: not behind this bridge",
                commands.why("00:06.0"), "a sentence per storage, the default one as before");
        assertEquals("nvme0: waiting: no bundle provides device kind 'nvme-fake'", commands.why("nvme0"),
                "a waiting device is not in the machine yet");
    }

    @Test
    void devicesShowsARowPerStorageAndWaitingDevices() {
        assertEquals(String.join("\n",
                "DEVICE   TYPE  STATE    PROVIDER                    VECTORS",
                "00:04.0  pci   BOUND    org.x.b                           0",
                "00:06.0  pci   BOUND    org.msidomain.provider.pci        2",
                "00:06.0  ims   UNBOUND  -                                 0",
                "nvme0    -     WAITING  -                                 0"), commands.devices());
    }

    @Test
    void allocNamesTheStorageOrTheVariant() {
        assertEquals("irq 30: 00:06.0/ims/0 CPU1 vector 0x41\nirq 31: 00:06.0/ims/1 CPU1 vector 0x42",
                commands.alloc("", "00:06.0", "2", "ims"), "a secondary storage's vectors as DEVICE/STORAGE/INDEX");
        commands.alloc("", "00:06.0", "2", "msix");
        commands.alloc("", "00:06.0", "2");
        assertEquals(List.of("00:06.0 2 ims", "00:06.0 2 msix", "00:06.0 2 "), allocations,
                "the word goes to the domain, which tells a storage from a variant");
    }

    @Test
    void cpusIsATableAndCpuChecksItsWordsAndCpu() {
        assertEquals(String.join("\n", "CPU  STATE    VECTORS", "  0  online         3", "  1  offline        0",
                "  2  online        12", "  3  online         0", "  4  online         0", "  5  online         0",
                "  6  online         0", "  7  online         0"), commands.cpus());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> commands.cpu("down", "2"));
        assertEquals("'down' is neither offline nor online; usage: msi:cpu offline|online CPU", word.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> commands.cpu("offline", "8"));
        assertEquals("CPU 8 out of range 0-7; usage: msi:cpu offline|online CPU", range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.cpu("offline"));
        assertEquals(List.of(), hotplugged, "nothing asked of the domain");
        assertEquals("CPU 1: offline already", commands.cpu("offline", "1"));
    }

    @Test
    void allocWithASpreadAsksForManagedVectorsWithPreAndPostVectors() {
        commands.alloc("1,0", "00:06.0", "2", "msix");
        commands.alloc(" 0 , 2 ", "00:06.0", "2");
        assertEquals(List.of("00:06.0 2 msix spread 1,0", "00:06.0 2  spread 0,2"), allocations);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.alloc("1", "00:06.0", "2"));
        assertEquals("--spread '1' is not PRE,POST (two numbers of vectors, e.g. 1,0); usage: msi:alloc DEVICE COUNT "
                + "[VARIANT]", e.getMessage());
        assertEquals(2, allocations.size(), "nothing allocated");
    }

    @Test
    void affinityTakesACpuAsBeforeOrACpulistAndShowsBothAffinities() {
        assertEquals("smp_affinity_list: 0-7\neffective_affinity_list: 1", commands.affinity("00:06.0/1"),
                "Linux's default: every CPU");
        assertEquals("irq 21: 00:06.0/1 CPU1 vector 0x42", commands.affinity("00:06.0/1", "1"), "one CPU: the line as before");
        assertEquals("irq 21: 00:06.0/1 CPU1 vector 0x42 mask 1-3,6", commands.affinity("21", "2-3,6,1"),
                "a list: the same line, then the mask");
        assertEquals("smp_affinity_list: 1-3,6\neffective_affinity_list: 1", commands.affinity("00:06.0/1"));
        assertEquals("irq 21: 00:06.0/1 CPU1 vector 0x42 mask 0-1,4-5", commands.affinity("21", "0-7:2/4"),
                "a strided range");
        assertEquals(List.of("21 1", "21 [1, 2, 3, 6]", "21 [0, 1, 4, 5]"), affinities);

        String usage = "; usage: msi:affinity IRQ [CPU|CPULIST]";
        assertEquals("CPU 'one' is not a number" + usage,
                assertThrows(IllegalArgumentException.class, () -> commands.affinity("21", "one")).getMessage());
        assertEquals("CPULIST '3-1': range 3-1 ends before it starts" + usage,
                assertThrows(IllegalArgumentException.class, () -> commands.affinity("21", "3-1")).getMessage());
        assertEquals("CPULIST '1,,2': an empty entry" + usage,
                assertThrows(IllegalArgumentException.class, () -> commands.affinity("21", "1,,2")).getMessage());
        assertEquals("CPU 9 out of range 0-7",
                assertThrows(IllegalArgumentException.class, () -> commands.affinity("21", "2,9")).getMessage());
        assertEquals("usage: msi:affinity IRQ [CPU|CPULIST]",
                assertThrows(IllegalArgumentException.class, () -> commands.affinity("21", "1", "2")).getMessage());
        assertEquals(3, affinities.size(), "nothing asked of the domain by a refused command");
    }

    private List<String> completions(String line) {
        return new CommandCompletion(domain, null).next(List.of(line.split(" ")), "").stream()
                .map(CommandCompletion.Choice::value).toList();
    }

    @Test
    void completionOffersTheStorageTypesOfADeviceWithSeveralAndEachDeviceOnce() {
        assertEquals(List.of("msi", "msix", "pci", "ims"), completions("msi:alloc 00:06.0 2"));
        assertEquals(List.of("msi", "msix"), completions("msi:alloc 00:04.0 2"), "one storage: variants only");
        assertEquals(List.of("00:04.0", "00:06.0", "nvme0"), completions("msi:why"));
    }

    @Test
    void completionNamesASecondaryStoragesVectorsByTheirStorage() {
        assertEquals(List.of("20", "30", "00:06.0/0", "00:06.0/ims/0"), completions("msi:mask"),
                "irq 20 is 00:06.0's pci vector 0, irq 30 its ims vector 0");
        assertEquals(List.of("0"), completions("msi:fire 00:06.0"), "the default storage's indexes");
        assertEquals(List.of("0"), completions("msi:fire --storage ims 00:06.0"));
        assertEquals(List.of("pci", "ims"), completions("msi:fire --storage"));
    }
}
