package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.InterruptRemapping;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.internal.dmar.RemappingTable;

/**
 * Source ids of the sources that are not PCI functions, and writes that carry none. The HPET's id is the one
 * of the DMAR unit's HPET device scope (ACPI DMAR device scope type 4; Linux's {@code set_hpet_sid} takes it
 * from there), by default {@code 00:1f.0}, as in the DMAR tables of Intel boards (the scope AMI firmware
 * declares beside the I/O APIC's {@code f0:1f.0}); a platform device carries the {@code requesterId} its entry
 * gives. A remappable-format write without a requester id fails an entry that validates its source (VT-d
 * 9.10: SVT 1 compares the requester id with SID under the SQ mask; SVT 2 its bus with SID's bus range).
 */
class SourceIdTest {

    private static SimMachine machine(String json) {
        return new SimMachine(MachineLoader.fromDescription("m.json",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), name -> {
                    throw new java.io.IOException("no files");
                }));
    }

    private static String refusal(String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine(json));
        assertTrue(e.getMessage().startsWith("m.json: "), e.getMessage());
        return e.getMessage().substring("m.json: ".length());
    }

    /** bus << 8 | device << 3 | function (PCIe requester id). */
    private static int rid(int bus, int dev, int fn) {
        return bus << 8 | dev << 3 | fn;
    }

    @Test
    void theHpetCarriesTheSourceIdOfTheRemappingUnitsHpetScopeByDefault00_1f_0() {
        SimMachine m = machine("{\"cpus\": 2, \"hpet\": {\"fsbTimers\": [2]}, \"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16}]}");
        assertEquals(rid(0x00, 0x1f, 0), m.device("hpet").orElseThrow().requesterId());
    }

    @Test
    void aDeclaredHpetScopeIsTheHpetsSourceIdAlsoThroughADevicesEntry() {
        SimMachine section = machine("{\"cpus\": 2, \"hpet\": {}, "
                + "\"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16, \"hpetSourceId\": \"00:1e.6\"}]}");
        assertEquals(rid(0x00, 0x1e, 6), section.device("hpet").orElseThrow().requesterId());
        SimMachine entries = machine("{\"cpus\": 2, \"devices\": [{\"kind\": \"hpet\", \"name\": \"hpet1\"}, "
                + "{\"kind\": \"dmar\", \"name\": \"dmar0\", \"properties\": {\"irtSize\": 16, \"hpetSourceId\": \"f0:0f.0\"}}]}");
        assertEquals(rid(0xf0, 0x0f, 0), entries.device("hpet1").orElseThrow().requesterId());
        assertEquals("$.dmar[0].hpetSourceId: 'hpet' is not a requester id bb:dd.f",
                refusal("{\"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16, \"hpetSourceId\": \"hpet\"}]}"));
    }

    @Test
    void withoutRemappingOrAScopeTheHpetHasNoSourceId() {
        assertEquals(-1, machine("{\"cpus\": 2, \"hpet\": {}}").device("hpet").orElseThrow().requesterId());
        assertEquals(-1, machine("{\"cpus\": 2, \"hpet\": {}, \"dmar\": [{\"name\": \"dmar0\"}]}").device("hpet")
                .orElseThrow().requesterId());
    }

    @Test
    void aPlatformDeviceCarriesTheRequesterIdItsEntryGives() {
        SimMachine m = machine("{\"cpus\": 2, \"platform\": [{\"name\": \"ims0\", \"slots\": 2, \"requesterId\": \"00:15.0\"}, "
                + "{\"name\": \"ims1\", \"slots\": 2}]}");
        assertEquals(rid(0x00, 0x15, 0), m.device("ims0").orElseThrow().requesterId());
        assertEquals(-1, m.device("ims1").orElseThrow().requesterId());
        assertEquals("$.platform[0].requesterId: '0:15.0' is not a requester id bb:dd.f",
                refusal("{\"platform\": [{\"name\": \"ims0\", \"slots\": 2, \"requesterId\": \"0:15.0\"}]}"));
    }

    /** The HPET's own FSB write reaches the CPU through an entry that validates the scope id, as Linux programs it. */
    @Test
    void theHpetsWritePassesItsEntryAndAnotherRequesterOrNoneIsAFault() {
        SimMachine m = machine("{\"cpus\": 2, \"hpet\": {\"fsbTimers\": [2]}, \"pci\": [], "
                + "\"platform\": [{\"name\": \"ims0\", \"slots\": 1, \"requesterId\": \"00:15.0\"}], "
                + "\"dmar\": [{\"name\": \"dmar0\", \"irtSize\": 16}]}");
        List<String> got = new ArrayList<>();
        m.connect(new VectorSink() {
            @Override
            public void accept(int cpu, int vector) {
                got.add(cpu + "/0x" + Integer.toHexString(vector));
            }
        });
        InterruptRemapping irt = m.remapping().orElseThrow();
        // IRTE 3: present, vector 0x41, APIC 1; SVT=1, SQ=3 (SQ_13_IGNORE_3), SID 00:1f.0: Linux's set_hpet_sid
        irt.writeEntry(3, 1L | 0x41L << 16 | 1L << 32, rid(0, 0x1f, 0) | 3L << 16 | 1L << 18);
        Mmio hpet = m.device("hpet").orElseThrow().region(0);
        int handleAddress = 0xFEE00000 | 3 << 5 | 0x10 | 0x08; // remappable format, handle 3, SHV
        hpet.write32(0x110 + 0x20 * 2, 0); // Tn_FSB_INT_VAL: sub-handle 0
        hpet.write32(0x114 + 0x20 * 2, handleAddress);
        hpet.write32(0x100 + 0x20 * 2, (1 << 2) | (1 << 14)); // Tn_INT_ENB, Tn_FSB_EN
        hpet.write32(0x010, 1); // ENABLE_CNF
        m.device("hpet").orElseThrow().raise(2);
        assertEquals(List.of("1/0x41"), got, "the HPET's write carries the scope's source id");

        RemappingTable table = (RemappingTable) irt;
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed)",
                m.injectMessage(handleAddress & 0xFFFF_FFFFL, 0, "ims0"), "another requester id");
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                m.injectMessage(handleAddress & 0xFFFF_FFFFL, 0, null), "no requester id");
        assertEquals(List.of(0x26, 0x26), table.faults().stream().map(RemappingTable.Fault::reason).toList());
        assertEquals(-1, table.faults().get(1).requesterId());
        assertEquals(List.of("1/0x41"), got, "neither forged write was delivered");

        // SVT=2 (bus range 00-00) asks for validation too; SVT=0 asks for none, so even a write without an id passes
        irt.writeEntry(4, 1L | 0x42L << 16 | 1L << 32, 0x0000 | 2L << 18);
        int entry4 = 0xFEE00000 | 4 << 5 | 0x18;
        assertEquals("dropped: remapping fault 0x26 (source-id verification failed: the write carries no requester id)",
                m.injectMessage(entry4 & 0xFFFF_FFFFL, 0, null));
        assertEquals("remapped and delivered", m.injectMessage(entry4 & 0xFFFF_FFFFL, 0, "ims0"), "bus 0 is in 00-00");
        irt.writeEntry(5, 1L | 0x43L << 16 | 1L << 32, 0);
        assertEquals("remapped and delivered", m.injectMessage((0xFEE00000L | 5 << 5 | 0x18), 0, null));
        assertEquals(List.of("1/0x41", "1/0x42", "1/0x43"), got);
    }
}
