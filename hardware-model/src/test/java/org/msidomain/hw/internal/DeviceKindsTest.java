package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.MachineListener;
import org.msidomain.hw.WaitingDevice;
import org.msidomain.hw.internal.dmar.DmarUnit;
import org.msidomain.hw.internal.dmar.RemappingTable;
import org.msidomain.hw.internal.hpet.HpetBlock;
import org.msidomain.hw.internal.pci.PciFunction;
import org.msidomain.hw.internal.platform.QueuedDevice;
import org.msidomain.hw.internal.platform.SlotDevice;

/**
 * Device kinds coming and going while the machine runs: a described device waits for its kind, is created
 * when the kind arrives (listeners told), leaves as a surprise removal when it goes, and waits again.
 */
class DeviceKindsTest {

    /** A remapping machine (dmar0 with a 16-entry table) with an outside device of kind ntb as 03:00.0. */
    private static final String NTB_MACHINE = "{\"cpus\": 2, \"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16}], "
            + "\"platform\": [{\"name\": \"ims0\", \"slots\": 2}], \"devices\": [{\"kind\": \"ntb\", \"name\": \"ntb0\", "
            + "\"requesterId\": \"03:00.0\", \"properties\": {\"doorbells\": 1}}]}";
    private static final String NO_NTB = "no device kind 'ntb' is installed";

    @TempDir
    Path dir;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Integer> delivered = new CopyOnWriteArrayList<>();

    private static MachineSpec spec(String json) {
        return MachineLoader.fromDescription("m.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                name -> {
                    throw new java.io.IOException("no files");
                });
    }

    private SimMachine machine(String json, KindService... outside) {
        List<KindService> kinds = new ArrayList<>(BuiltInKinds.services());
        kinds.addAll(List.of(outside));
        SimMachine m = new SimMachine(spec(json), kinds);
        m.connect((cpu, vector) -> delivered.add(vector));
        m.addListener(recorder("", events));
        return m;
    }

    private static MachineListener recorder(String prefix, List<String> events) {
        return new MachineListener() {
            @Override
            public void deviceAdded(HwDevice device) {
                events.add(prefix + "added " + device.id());
            }

            @Override
            public void deviceRemoved(HwDevice device) {
                events.add(prefix + "removed " + device.id());
            }
        };
    }

    private static List<String> ids(SimMachine m) {
        return m.devices().stream().map(HwDevice::id).toList();
    }

    /** IRTE: present, fixed, vector, destination APIC id; SVT 1 with SQ 0: the requester id must be {@code sid}. */
    private static void irte(SimMachine m, int index, int vector, int apicId, int sid) {
        InterruptRemapping ir = m.remapping().orElseThrow();
        ir.writeEntry(index, InterruptRemapping.PRESENT | (long) vector << 16 | (long) apicId << 32, 1L << 18 | sid);
        ir.invalidate();
    }

    /** Programs the doorbell with a remappable-format message (VT-d 5.1.5.2: bit 4 format, bits 19:5 handle). */
    private static void program(HwDevice d, int handle) {
        d.region(0).write32(0, 0xFEE0_0010 | handle << 5);
        d.region(0).write32(4, 0);
        d.region(0).write32(8, 0);
        d.region(0).write32(12, 0);
    }

    /**
     * lspci shows a PCI function of an outside kind as it shows a built-in one: at its requester id, from its own
     * config space (the LSI SAS2008 dump; the expected line is pciutils' own numeric output of that dump).
     */
    @Test
    void lspciShowsAFunctionOfAnOutsideKindFromItsConfigSpace() throws Exception {
        byte[] bytes;
        try (java.io.InputStream in = getClass().getResourceAsStream("/corpus/public/lsi-sas2008.txt")) {
            bytes = org.msidomain.hw.internal.pci.DumpReader.read("lsi.txt", in.readAllBytes()).get(0).bytes();
        }
        String pciutils = new String(getClass().getResourceAsStream("/corpus/public/lsi-sas2008.lspci-numeric.txt")
                .readAllBytes(), StandardCharsets.UTF_8).strip();
        org.msidomain.hw.ConfigSpace config = new org.msidomain.hw.internal.pci.PciConfig(bytes);
        DeviceKind sas = (spec, port) -> new HwDevice() {
            @Override public String id() { return spec.name(); }
            @Override public String fullName() { return spec.name(); }
            @Override public String storageType() { return ""; }
            @Override public int requesterId() { return port.requesterId(); }
            @Override public java.util.Optional<org.msidomain.hw.ConfigSpace> config() { return java.util.Optional.of(config); }
            @Override public org.msidomain.hw.Mmio region(int n) { throw new IllegalArgumentException("no BAR " + n); }
            @Override public Map<String, String> properties() { return Map.of(); }
            @Override public void raise(int index) { throw new IllegalArgumentException("no interrupt " + index); }
        };
        SimMachine m = machine("{\"cpus\": 2, \"devices\": [{\"kind\": \"sas\", \"name\": \"sas0\", "
                + "\"requesterId\": \"04:00.0\", \"properties\": {}}]}", new KindService("sas", sas, 0, 7));
        assertEquals(pciutils, m.lspci(0, null).strip());
        assertEquals(pciutils, m.lspci(0, "04:00.0").strip(), "found by its slot");
        assertEquals("", m.lspci(0, "05:").strip());
        String msix = new String(getClass().getResourceAsStream("/corpus/public/lsi-sas2008.lspci-vv-numeric.txt")
                .readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.contains("MSI-X:")).findFirst().orElseThrow();
        assertTrue(m.lspci(2, null).lines().anyMatch(msix::equals), "pciutils' MSI-X line " + msix + " in "
                + m.lspci(2, null));
    }

    @Test
    void anOutsideKindArrivesAndLeavesAtRuntime() {
        SimMachine m = machine(NTB_MACHINE);
        assertEquals(List.of(new WaitingDevice("ntb0", "ntb", NO_NTB)), m.waiting());
        assertEquals(List.of("dmar0", "ims0"), ids(m), "the built-in devices are there from the start");
        assertTrue(m.device("ntb0").isEmpty());

        TestKind kind = new TestKind();
        KindService service = new KindService("ntb", kind, 0, 42);
        m.kindAdded(service);
        assertEquals(List.of("added ntb0"), events);
        assertEquals(List.of(), m.waiting());
        assertEquals(List.of("dmar0", "ims0", "ntb0"), ids(m), "description order");
        HwDevice ntb = m.device("ntb0").orElseThrow();
        assertEquals(0x0300, ntb.requesterId(), "03:00.0 = bus 3 << 8");
        assertSame(kind.created.get(0), m.model("ntb0", HwDevice.class).orElseThrow());

        // its messages carry its requester id, so remapping validates them: SID 03:00.0 passes, 04:00.0 faults
        irte(m, 0, 0x41, 1, 0x0300);
        program(ntb, 0);
        ntb.raise(0);
        assertEquals(List.of(0x41), delivered);
        irte(m, 1, 0x42, 1, 0x0400);
        program(ntb, 1);
        ntb.raise(0);
        assertEquals(List.of(0x41), delivered, "a message from 03:00.0 through an IRTE for 04:00.0 is blocked");
        RemappingTable.Fault fault = m.model("dmar0", DmarUnit.class).orElseThrow().remapping().orElseThrow().faults().get(0);
        assertEquals(new RemappingTable.Fault(RemappingTable.SOURCE_ID, 1, 0x0300), fault);

        m.kindRemoved(service);
        assertEquals(List.of("added ntb0", "removed ntb0"), events);
        assertEquals(List.of(kind.created.get(0)), kind.destroyed, "destroyed through its kind");
        assertEquals(List.of(new WaitingDevice("ntb0", "ntb", NO_NTB)), m.waiting());
        assertEquals(List.of("dmar0", "ims0"), ids(m));
        irte(m, 0, 0x41, 1, 0x0300);
        ntb.raise(0);
        assertEquals(List.of(0x41), delivered, "a removed device raises nothing");
        assertEquals(-1, ntb.region(0).read32(8), "a removed device's registers read all ones");

        m.kindAdded(service);
        assertEquals(List.of("added ntb0", "removed ntb0", "added ntb0"), events);
        assertEquals(2, kind.created.size(), "created anew");
        assertNotSame(ntb, m.device("ntb0").orElseThrow());
    }

    @Test
    void theHighestRankingCreatesAndADeviceStaysWithItsKindUntilThatLeaves() {
        TestKind low = new TestKind();
        TestKind high = new TestKind();
        KindService lowService = new KindService("ntb", low, 1, 10);
        KindService highService = new KindService("ntb", high, 5, 11);
        SimMachine m = machine(NTB_MACHINE, lowService, highService);
        assertEquals(1, high.created.size());
        assertEquals(0, low.created.size());

        m.kindRemoved(highService);
        assertEquals(List.of("removed ntb0", "added ntb0"), events, "the next best takes it at once");
        assertEquals(1, low.created.size());

        TestKind higher = new TestKind();
        m.kindAdded(new KindService("ntb", higher, 9, 12));
        assertEquals(0, higher.created.size(), "a better kind arriving disturbs no device");
        assertEquals(List.of("removed ntb0", "added ntb0"), events);

        m.kindRemoved(new KindService("ntb", new TestKind(), 0, 99));
        assertEquals(2, events.size(), "a service the machine never had changes nothing");
    }

    @Test
    void aKindThatRefusesOrFailsLeavesTheDeviceWaitingWithOneLine() {
        DeviceKind refusing = (spec, port) -> {
            throw new IllegalArgumentException(spec.name() + ": doorbells: 3 is more than the 2 a bridge has");
        };
        SimMachine m = machine(NTB_MACHINE);
        m.kindAdded(new KindService("ntb", refusing, 0, 1));
        assertEquals(List.of(new WaitingDevice("ntb0", "ntb", "ntb0: doorbells: 3 is more than the 2 a bridge has")),
                m.waiting());
        assertEquals(List.of(), events, "nothing was added");

        SimMachine failing = machine(NTB_MACHINE, new KindService("ntb", (spec, port) -> {
            throw new IllegalStateException("bug");
        }, 0, 1));
        assertEquals("device kind 'ntb' failed to create it: java.lang.IllegalStateException: bug",
                failing.waiting().get(0).reason());

        TestKind wrong = new TestKind() {
            @Override
            public HwDevice create(DeviceSpec spec, DevicePort port) {
                return super.create(new DeviceSpec(spec.kind(), "other", -1, Map.of(), spec.base()), port);
            }
        };
        SimMachine misnamed = machine(NTB_MACHINE, new KindService("ntb", wrong, 0, 1));
        assertEquals("device kind 'ntb' created a device named 'other' for 'ntb0'", misnamed.waiting().get(0).reason());
        assertEquals(wrong.created, wrong.destroyed, "the device it should not have made is destroyed");
        assertTrue(misnamed.device("other").isEmpty());
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() {
        SimMachine m = machine(NTB_MACHINE);
        List<String> second = new CopyOnWriteArrayList<>();
        AtomicInteger thrown = new AtomicInteger();
        m.addListener(new MachineListener() {
            @Override
            public void deviceAdded(HwDevice device) {
                thrown.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void deviceRemoved(HwDevice device) {
                thrown.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        });
        m.addListener(recorder("second ", second));
        KindService service = new KindService("ntb", new TestKind(), 0, 1);
        m.kindAdded(service);
        m.kindRemoved(service);
        assertEquals(2, thrown.get());
        assertEquals(List.of("added ntb0", "removed ntb0"), events, "the one before it");
        assertEquals(List.of("second added ntb0", "second removed ntb0"), second, "the one after it");
    }

    @Test
    void theBuiltInKindsTakeDevicesEntriesWithTheirProperties() throws Exception {
        Files.copy(getClass().getResourceAsStream("/corpus/local/0000:00:04.0.bin"), dir.resolve("nic.bin"));
        Path file = Files.writeString(dir.resolve("m.json"), "{\"devices\": ["
                + "{\"kind\": \"hpet\", \"name\": \"hpet\", \"properties\": {\"timers\": 4, \"fsbTimers\": \"0,1\"}},"
                + "{\"kind\": \"platform\", \"name\": \"q0\", \"properties\": {\"slots\": 3, \"queued\": true}},"
                + "{\"kind\": \"platform\", \"name\": \"ims1\", \"properties\": {\"slots\": 2}},"
                + "{\"kind\": \"dmar\", \"name\": \"dmar1\", \"properties\": {\"irtSize\": 64}},"
                + "{\"kind\": \"pci\", \"name\": \"00:05.0\", \"properties\": {\"dump\": \"nic.bin\"}},"
                + "{\"kind\": \"platform\", \"name\": \"bad0\", \"properties\": {\"slots\": 4, \"colour\": \"red\"}}]}");
        SimMachine m = new SimMachine(MachineLoader.load(Map.of(MachineLoader.FILE, file.toString())::get));
        assertEquals(List.of("hpet", "q0", "ims1", "dmar1", "00:05.0"), ids(m));
        HpetBlock hpet = m.model("hpet", HpetBlock.class).orElseThrow();
        assertEquals(3, (m.device("hpet").orElseThrow().region(0).read32(0) >>> 8) & 0x1F, "NUM_TIM_CAP: timers - 1");
        assertEquals(1 << 15, m.device("hpet").orElseThrow().region(0).read32(0x100 + 0x20) & 1 << 15, "timer 1 FSB_INT_DEL_CAP");
        assertEquals(0, m.device("hpet").orElseThrow().region(0).read32(0x100 + 0x40) & 1 << 15, "timer 2 has no FSB");
        assertEquals(4, hpet.timers());
        assertTrue(m.model("q0", QueuedDevice.class).isPresent());
        assertTrue(m.model("ims1", SlotDevice.class).isPresent());
        assertEquals(64, m.remapping().orElseThrow().tableSize(), "the machine's table, carried by dmar1");
        assertTrue(m.model("dmar1", DmarUnit.class).orElseThrow().remapping().isPresent());
        PciFunction nic = m.pciFunction("00:05.0").orElseThrow();
        byte[] dump = Files.readAllBytes(dir.resolve("nic.bin"));
        assertEquals((dump[0] & 0xFF) | (dump[1] & 0xFF) << 8, m.device("00:05.0").orElseThrow().config().orElseThrow().read16(0),
                "the vendor id of the dump");
        assertEquals(0x0028, nic.requesterId(), "00:05.0: device 5 << 3");
        assertEquals(List.of(new WaitingDevice("bad0", "platform",
                "bad0: colour: unknown property of kind 'platform' (known: slots, queued)")), m.waiting());
    }

    @Test
    void theDescriptionsSectionsBecomeBuiltInDevicesWithNothingWaiting() {
        SimMachine m = new SimMachine(MachineLoader.load(k -> null));
        assertEquals(List.of(), m.waiting(), "the default machine: every device of a built-in kind is there at once");
        assertTrue(m.devices().size() > 1);
    }

    @Test
    void aClosedMachineDestroysItsDevicesAndTakesNoMoreKinds() {
        TestKind kind = new TestKind();
        SimMachine m = machine(NTB_MACHINE, new KindService("ntb", kind, 0, 1));
        HwDevice ntb = m.device("ntb0").orElseThrow();
        m.close();
        assertEquals(kind.created, kind.destroyed);
        assertEquals(List.of(), m.devices());
        assertEquals(-1, ntb.region(0).read32(12));
        m.kindAdded(new KindService("ntb", new TestKind(), 0, 2));
        assertTrue(m.device("ntb0").isEmpty());
        assertEquals(List.of(), events, "a machine shut down tells no one");
    }
}
