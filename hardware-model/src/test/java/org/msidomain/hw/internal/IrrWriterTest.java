package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.msidomain.hw.LocalApic;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;

/**
 * A CPU with interrupts disabled holds a message in its IRR and tells the domain who wrote it (the device, its
 * storage type and the entry that sent): two sources can send the very same message (a non-maskable move's
 * interim vector is another interrupt's), and without remapping neither the HPET nor a platform device carries a
 * requester id, so an HPET timer and a platform slot with the same number must still be told apart.
 */
class IrrWriterTest {

    private static final int MESSAGE = 0xFEE0_0000; // APIC id 0, physical, fixed (Intel SDM 11.11.1)
    private static final int VECTOR = 0x31;

    @Test
    void anHpetTimerAndAPlatformSlotWithTheSameNumberAndNoRequesterIdAreNamedApart() {
        SimMachine m = new SimMachine(MachineLoader.fromDescription("m.json", new ByteArrayInputStream(
                ("{\"cpus\": 1, \"hpet\": {\"fsbTimers\": [2]}, \"pci\": [], "
                        + "\"platform\": [{\"name\": \"ims0\", \"slots\": 4}]}").getBytes(StandardCharsets.UTF_8)),
                name -> {
                    throw new java.io.IOException("no files");
                }));
        assertEquals(-1, m.device("hpet").orElseThrow().requesterId());
        assertEquals(-1, m.device("ims0").orElseThrow().requesterId());
        List<String> got = new ArrayList<>();
        m.connect(new VectorSink() {
            @Override
            public void accept(int cpu, int vector) {
                got.add("accept " + cpu + "/0x" + Integer.toHexString(vector));
            }

            @Override
            public void requested(int cpu, int vector, String device, String storageType, int entry) {
                got.add("requested 0x" + Integer.toHexString(vector) + " by " + device + "/" + storageType + "/" + entry);
            }

            @Override
            public void merged(int cpu, int vector, String device, String storageType, int entry) {
                got.add("merged 0x" + Integer.toHexString(vector) + " by " + device + "/" + storageType + "/" + entry);
            }
        });
        Mmio hpet = m.device("hpet").orElseThrow().region(0);
        hpet.write32(0x110 + 0x20 * 2, VECTOR); // Tn_FSB_INT_VAL
        hpet.write32(0x114 + 0x20 * 2, MESSAGE); // Tn_FSB_INT_ADDR
        hpet.write32(0x100 + 0x20 * 2, (1 << 2) | (1 << 14)); // Tn_INT_ENB, Tn_FSB_EN
        hpet.write32(0x010, 1); // ENABLE_CNF
        Mmio ims = m.device("ims0").orElseThrow().region(0);
        ims.write32(16 * 2, MESSAGE); // slot 2: address lo, hi, data, then control 0 (unmasked)
        ims.write32(16 * 2 + 4, 0);
        ims.write32(16 * 2 + 8, VECTOR);
        ims.write32(16 * 2 + 12, 0);

        LocalApic cpu0 = m.localApic(0);
        cpu0.disableInterrupts();
        m.device("ims0").orElseThrow().raise(2);
        m.device("hpet").orElseThrow().raise(2);
        m.device("hpet").orElseThrow().raise(2);
        cpu0.enableInterrupts();

        assertEquals(List.of("requested 0x31 by ims0/platform/2", "merged 0x31 by hpet/hpet/2",
                "merged 0x31 by hpet/hpet/2", "accept 0/0x31"), got);
    }
}
