package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.hw.irqchip.GicIts;

/**
 * The GICv3 ITS driven as Linux's irq-gic-v3-its.c drives it: MAPD, MAPC, MAPTI, then SYNC; the LPI configuration
 * byte as Linux writes it (LPI_PROP_DEFAULT_PRIO 0xa0 | LPI_PROP_GROUP1 | LPI_PROP_ENABLED), taken into account only
 * after INV. Expected values: GITS_TRANSLATER at ITS base + 0x10040 (Arm IHI 0069, 12.19), GITS_CREADR's Stalled bit 0.
 */
class GicItsTest {

    /** Requester id 00:02.0 = DeviceID 0x0010; 00:03.0 = 0x0018. */
    private static final String JSON = "{\"arch\": \"arm64-gicv3-its\", \"cpus\": 4, \"platform\": ["
            + "{\"name\": \"nic\", \"slots\": 4, \"requesterId\": \"00:02.0\"},"
            + "{\"name\": \"other\", \"slots\": 4, \"requesterId\": \"00:03.0\"}]}";
    private static final int ENABLED = 0xa0 | 0x2 | 0x1;
    private static final int DISABLED = 0xa0 | 0x2;
    private static final long TRANSLATER = 0x0808_0000L + 0x10040;

    private SimMachine machine;
    private GicIts its;
    private LinuxItsDriver linux;
    private final ArchMachines.Recorder cpus = new ArchMachines.Recorder();

    @BeforeEach
    void itsMachine() {
        machine = ArchMachines.machine(JSON);
        machine.connect(cpus);
        its = machine.irqchip(GicIts.class).orElseThrow();
        linux = new LinuxItsDriver(its);
    }

    /**
     * Device 0x0010 with 4 events, collection 1 on CPU1, event 3 -> LPI 8195: what its_irq_domain_activate leaves;
     * then enabled as its_irq_unmask does it (lpi_update_config: the byte, then INV).
     */
    private void mapEvent3() {
        linux.mapd(0x10, 4, 0x4000_0000L, true);
        linux.mapc(1, 1);
        linux.sync(1);
        its.writeLpiConfig(8195, ENABLED);
        linux.mapti(0x10, 3, 8195, 1);
        linux.inv(0x10, 3);
        linux.sync(1);
        assertEquals(linux.cwriter(), its.creadr(), "GITS_CREADR caught up with GITS_CWRITER, not stalled");
    }

    @Test
    void registersDecodeAsTheSpecSays() {
        assertEquals("arm64-gicv3-its", machine.arch());
        assertEquals(TRANSLATER, its.translaterAddress());
        long typer = its.typer();
        assertEquals(1, typer & 1, "Physical");
        assertEquals(16, ((typer >> 8) & 0x1F) + 1, "EventID bits (IDbits + 1)");
        assertEquals(16, ((typer >> 13) & 0x1F) + 1, "DeviceID bits (Devbits + 1)");
        assertEquals(0, (typer >> 19) & 1, "PTA clear: targets are processor numbers");
        assertTrue(machine.irqchip(org.msidomain.hw.irqchip.GicV2m.class).isEmpty());
    }

    @Test
    void aMappedEventFromItsDeviceIsTheLpiOnItsCollectionsCpu() {
        mapEvent3();
        assertEquals("delivered to CPU1 LPI 8195", machine.injectMessage(TRANSLATER, 3, "nic"));
        machine.device("nic").orElseThrow(); // the write carried 00:02.0's requester id
        assertEquals(List.of("1:8195"), cpus.delivered());
        assertEquals(0, machine.lostMessages());
        assertEquals(0, its.translationErrors());
    }

    @Test
    void moviAndSyncMoveTheLpiWithoutTouchingTheDevice() {
        mapEvent3();
        linux.mapc(2, 3);
        linux.movi(0x10, 3, 2);
        assertEquals(linux.cwriter(), its.creadr());
        linux.sync(3);
        assertEquals("delivered to CPU3 LPI 8195", machine.injectMessage(TRANSLATER, 3, "nic"));
        assertEquals(List.of("3:8195"), cpus.delivered());
    }

    @Test
    void aDisabledLpiIsHeldPendingUntilEnabledAndInvalidatedThenDeliveredOnce() {
        mapEvent3();
        its.writeLpiConfig(8195, DISABLED);
        assertEquals("delivered to CPU1 LPI 8195", machine.injectMessage(TRANSLATER, 3, "nic"),
                "the ITS still uses its cached configuration: no INV yet");
        linux.inv(0x10, 3);
        linux.sync(1);
        cpus.clear();
        assertEquals("held pending on CPU1: LPI 8195 is disabled", machine.injectMessage(TRANSLATER, 3, "nic"));
        assertEquals("held pending on CPU1: LPI 8195 is disabled", machine.injectMessage(TRANSLATER, 3, "nic"));
        assertTrue(its.lpiPending(1, 8195));
        assertEquals(1, machine.coalescedMessages(), "the second event merged with the pending one");
        assertEquals(1, cpus.merged.get());
        its.writeLpiConfig(8195, ENABLED);
        assertEquals(List.of(), cpus.delivered(), "enabled in memory only: the ITS has not read it yet");
        linux.inv(0x10, 3);
        linux.sync(1);
        assertEquals(List.of("1:8195"), cpus.delivered(), "delivered once when invalidated");
        assertFalse(its.lpiPending(1, 8195));
        linux.inv(0x10, 3);
        assertEquals(List.of("1:8195"), cpus.delivered(), "and not again");
    }

    @Test
    void invallReloadsTheWholeTableForTheCollection() {
        mapEvent3();
        its.writeLpiConfig(8195, DISABLED);
        linux.invall(1);
        machine.injectMessage(TRANSLATER, 3, "nic");
        its.writeLpiConfig(8195, ENABLED);
        linux.invall(1);
        linux.sync(1);
        assertEquals(List.of("1:8195"), cpus.delivered());
    }

    @Test
    void aPendingLpiMovesWithMovi() {
        mapEvent3();
        its.writeLpiConfig(8195, DISABLED);
        linux.inv(0x10, 3);
        machine.injectMessage(TRANSLATER, 3, "nic");
        linux.mapc(2, 2);
        linux.movi(0x10, 3, 2);
        assertFalse(its.lpiPending(1, 8195));
        assertTrue(its.lpiPending(2, 8195));
        its.writeLpiConfig(8195, ENABLED);
        linux.inv(0x10, 3);
        assertEquals(List.of("2:8195"), cpus.delivered());
    }

    @Test
    void unmappedDeviceIdsAndEventIdsBeyondTheIttAreTranslationErrors() {
        mapEvent3();
        assertEquals("dropped: ITS translation error: DeviceID 0x0018 not mapped", machine.injectMessage(TRANSLATER, 3, "other"));
        assertEquals("dropped: ITS translation error: EventID 4 beyond the ITT of DeviceID 0x0010",
                machine.injectMessage(TRANSLATER, 4, "nic"));
        assertEquals("dropped: ITS translation error: EventID 2 of DeviceID 0x0010 not mapped",
                machine.injectMessage(TRANSLATER, 2, "nic"));
        assertEquals("dropped: ITS translation error: the write carries no requester id (DeviceID)",
                machine.injectMessage(TRANSLATER, 3, null));
        assertEquals(4, its.translationErrors());
        assertEquals(List.of("DeviceID 0x0018 not mapped", "EventID 4 beyond the ITT of DeviceID 0x0010",
                "EventID 2 of DeviceID 0x0010 not mapped", "the write carries no requester id (DeviceID)"),
                its.lastTranslationErrors());
        assertEquals(4, machine.lostMessages());
        assertEquals(List.of(), cpus.delivered());
        assertEquals("dropped: not the ITS's GITS_TRANSLATER (0x8090040)", machine.injectMessage(0xFEE0_0000L, 0x41, "nic"));
    }

    @Test
    void discardUnmapsTheEventAndClearsItsPendingState() {
        mapEvent3();
        its.writeLpiConfig(8195, DISABLED);
        linux.inv(0x10, 3);
        machine.injectMessage(TRANSLATER, 3, "nic");
        linux.discard(0x10, 3);
        assertEquals(linux.cwriter(), its.creadr());
        assertFalse(its.lpiPending(1, 8195));
        assertEquals("dropped: ITS translation error: EventID 3 of DeviceID 0x0010 not mapped",
                machine.injectMessage(TRANSLATER, 3, "nic"));
    }

    @Test
    void intMakesTheEventPendingAndClearTakesItBack() {
        mapEvent3();
        linux.interrupt(0x10, 3);
        assertEquals(List.of("1:8195"), cpus.delivered());
        its.writeLpiConfig(8195, DISABLED);
        linux.inv(0x10, 3);
        linux.interrupt(0x10, 3);
        assertTrue(its.lpiPending(1, 8195));
        linux.clear(0x10, 3);
        assertFalse(its.lpiPending(1, 8195));
    }

    @Test
    void mapiMapsTheEventIdAsTheLpi() {
        linux.mapd(0x10, 16384, 0x4000_0000L, true); // 14 EventID bits
        linux.mapc(0, 0);
        its.writeLpiConfig(8200, ENABLED);
        linux.mapi(0x10, 8200, 0);
        linux.inv(0x10, 8200);
        assertEquals(linux.cwriter(), its.creadr());
        assertEquals("delivered to CPU0 LPI 8200", machine.injectMessage(TRANSLATER, 8200, "nic"));
    }

    @Test
    void aMalformedCommandStallsTheQueueUntilRetried() {
        linux.mapd(0x10, 4, 0x4000_0000L, true);
        linux.mapc(1, 1);
        long before = linux.cwriter();
        long creadr = linux.mapti(0x10, 0, 100, 1); // pINTID 100 is an SPI, not an LPI
        assertEquals(before | GicIts.CREADR_STALLED, creadr, "stalled at the failing command");
        assertTrue(its.commandError().contains("pINTID 100 is not an LPI"), its.commandError());
        linux.sync(1); // queued behind the stall: not executed
        assertEquals(before | GicIts.CREADR_STALLED, its.creadr());
        its.writeCommand((int) (before / 32), GicIts.CMD_MAPTI | 0x10L << 32, 8192L << 32, 1, 0); // fixed in place
        its.writeCwriter(linux.cwriter() | GicIts.CWRITER_RETRY);
        assertEquals(linux.cwriter(), its.creadr(), "retried: the fixed command and the SYNC ran");
        assertNull(its.commandError());
        its.writeLpiConfig(8192, ENABLED);
        linux.inv(0x10, 0);
        assertEquals("delivered to CPU1 LPI 8192", machine.injectMessage(TRANSLATER, 0, "nic"));
    }

    @Test
    void unknownCommandsAndCollectionsBeyondTheCpusStall() {
        assertEquals(GicIts.CREADR_STALLED, linux.send(0x02, 0, 0) & GicIts.CREADR_STALLED);
        assertTrue(its.commandError().contains("unknown command"), its.commandError());
        its.writeCwriter(linux.cwriter() | GicIts.CWRITER_RETRY); // the same command again: stalls again
        assertEquals(GicIts.CREADR_STALLED, its.creadr() & GicIts.CREADR_STALLED);
        LinuxItsDriver fresh = new LinuxItsDriver(ArchMachines.machine(JSON).irqchip(GicIts.class).orElseThrow());
        assertEquals(GicIts.CREADR_STALLED, fresh.mapc(0, 4) & GicIts.CREADR_STALLED, "4 CPUs: no CPU 4");
    }

    @Test
    void afterMoviAndSyncNoMessageReachesTheOldCpuAndNoPendingLpiIsStranded() throws Exception {
        mapEvent3();
        linux.mapc(2, 2);
        its.writeLpiConfig(8195, DISABLED);
        linux.inv(0x10, 3);
        int perThread = 5_000;
        CountDownLatch done = new CountDownLatch(2);
        for (int t = 0; t < 2; t++) {
            new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    machine.injectMessage(TRANSLATER, 3, "nic");
                }
                done.countDown();
            }).start();
        }
        for (int i = 0; done.getCount() > 0; i++) {
            linux.movi(0x10, 3, 1 + (i & 1));
            linux.sync(1 + (i & 1));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        its.writeLpiConfig(8195, ENABLED);
        linux.inv(0x10, 3);
        linux.sync(1);
        assertEquals(1, cpus.delivered().size(), "every event merged into one pending LPI, delivered once: " + cpus.delivered());
        assertEquals(2L * perThread - 1, cpus.merged.get());
        assertFalse(its.lpiPending(1, 8195) || its.lpiPending(2, 8195));
    }

    @Test
    void translationUnderMoviFromAnotherThreadDeliversEveryEventExactlyOnce() throws Exception {
        mapEvent3();
        linux.mapc(2, 2);
        int perThread = 20_000;
        CountDownLatch done = new CountDownLatch(2);
        for (int t = 0; t < 2; t++) {
            Thread firing = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    machine.injectMessage(TRANSLATER, 3, "nic");
                }
                done.countDown();
            });
            firing.start();
        }
        for (int i = 0; done.getCount() > 0; i++) {
            linux.movi(0x10, 3, 1 + (i & 1));
            linux.sync(1 + (i & 1));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(2 * perThread, cpus.delivered().size());
        assertEquals(0, its.translationErrors());
    }
}
