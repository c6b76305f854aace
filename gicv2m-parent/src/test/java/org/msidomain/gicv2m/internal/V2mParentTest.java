package org.msidomain.gicv2m.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.irqchip.GicV2m;
import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentFeature;
import org.msidomain.parent.ParentIrq;
import org.msidomain.spi.StorageFlag;

/**
 * The parent alone on the bundled arm64-gicv2m machine, called as the core calls it (allocate on the new CPU before
 * release of the old one), with the distributor's deliveries recorded: the steps the domain does in one call.
 */
class V2mParentTest {

    private static final long SETSPI = 0x0802_0040L;

    private SimMachine machine;
    private GicV2m gic;
    private V2mParent parent;
    private final List<String> delivered = new ArrayList<>();

    record Device(String id, String storageType, int blockSize) implements ParentDevice {
        @Override
        public boolean has(StorageFlag flag) {
            return false;
        }

        @Override
        public int requesterId() {
            return -1;
        }

        @Override
        public int hwsize() {
            return 32;
        }
    }

    record Irq(Device device, int index, int irq) implements ParentIrq {
        @Override
        public MsiMsg msg() {
            return MsiMsg.ZERO;
        }

        @Override
        public boolean masked() {
            return false;
        }

        @Override
        public int blockSize() {
            return device.blockSize();
        }
    }

    @BeforeEach
    void machine() {
        machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(V2mParent.ARCH)));
        machine.connect(new VectorSink() {
            @Override
            public void accept(int cpu, int id) {
                delivered.add(cpu + ":" + id);
            }
        });
        gic = machine.irqchip(GicV2m.class).orElseThrow();
        parent = new V2mParent(machine);
    }

    @Test
    void pciGetsTheMultiMessageAndMaskParentFlagsAndPlatformMsiOnlyTheDestinationMask() {
        assertEquals(Set.of(ParentFeature.MULTI_PCI_MSI, ParentFeature.PCI_MSI_MASK_PARENT,
                ParentFeature.MASK_AT_DESTINATION), parent.features(new Device("00:04.0", "pci", 1)));
        assertEquals(Set.of(ParentFeature.MASK_AT_DESTINATION), parent.features(new Device("ims0", "platform", 1)));
        assertEquals("GICv2m-", parent.prefix(new Device("ims0", "platform", 1)));
    }

    @Test
    void aNewSpiStartsDisabledAndIsDeliveredOnlyOnceUnmasked() {
        Irq irq = new Irq(new Device("00:04.0", "pci", 1), 0, 24);
        int spi = parent.allocate(irq, 1);
        assertEquals(80, spi);
        assertEquals(new MsiMsg((int) SETSPI, 0, 80), parent.activate(irq, 1, spi));
        assertFalse(gic.enabled(80), "a target starts masked at the destination");
        assertEquals("held pending: SPI 80 is disabled", machine.injectMessage(SETSPI, 80, null));
        parent.unmask(irq);
        assertEquals(List.of("1:80"), delivered, "once, on its CPU");
    }

    @Test
    void anSpiRaisedWhileItsCpuGoesOfflineFollowsTheRouteToTheNextCpuOnce() {
        Irq irq = new Irq(new Device("00:04.0", "pci", 1), 0, 24);
        int spi = parent.allocate(irq, 2);
        parent.activate(irq, 2, spi);
        parent.unmask(irq);
        parent.cpuOffline(2);
        assertThrows(IllegalStateException.class, () -> parent.allocate(new Irq(irq.device(), 1, 25), 2));
        assertEquals(-1, parent.bestCpu(irq.device(), bits(2)), "no online CPU in the mask");
        assertEquals("held pending: SPI 80 is disabled", machine.injectMessage(SETSPI, 80, null),
                "the dying CPU takes nothing");
        assertEquals(List.of(), delivered);

        int cpu = parent.bestCpu(irq.device(), null);
        assertEquals(0, cpu, "the least loaded online CPU, the lowest on a tie");
        assertEquals(spi, parent.allocate(irq, cpu), "a move keeps the SPI");
        assertEquals(new MsiMsg((int) SETSPI, 0, 80), parent.activate(irq, cpu, spi), "and the message");
        assertEquals(List.of("0:80"), delivered, "what was pending, once, on the new CPU");
        assertFalse(parent.takeHeld(2, spi));
        parent.release(2, spi);
        assertEquals(63, parent.free(0), "still owned: one slot uses it");
        assertTrue(gic.enabled(80));
        assertEquals(0, parent.used(2));
        assertEquals(1, parent.used(0));

        parent.release(0, spi);
        assertEquals(64, parent.free(0), "no slot uses it: back to the frame");
        assertFalse(gic.enabled(80));
    }

    @Test
    void aCpuComingBackEnablesTheSpisThatCouldNotMove() {
        Irq irq = new Irq(new Device("ims0", "platform", 1), 0, 24);
        int spi = parent.allocate(irq, 3);
        parent.activate(irq, 3, spi);
        parent.unmask(irq);
        parent.cpuOffline(3);
        machine.injectMessage(SETSPI, spi, null);
        parent.cpuOnline(3);
        assertEquals(List.of("3:80"), delivered);
        parent.mask(irq);
        parent.cpuOffline(3);
        parent.cpuOnline(3);
        assertFalse(gic.enabled(80), "a masked SPI stays masked");
    }

    @Test
    void aBlockTakesAnAlignedRegionAndGivesItBackWithItsLastSpi() {
        Irq single = new Irq(new Device("00:1f.2", "pci", 1), 0, 24);
        parent.allocate(single, 0);
        Device plx = new Device("05:01.0", "pci", 8);
        List<Irq> block = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Irq irq = new Irq(plx, i, 25 + i);
            block.add(irq);
            assertEquals(88 + i, parent.allocate(irq, i % 4));
            assertEquals(new MsiMsg((int) SETSPI, 0, 88), parent.activate(irq, i % 4, 88 + i), "the block's first SPI");
        }
        assertEquals(64 - 1 - 8, parent.free(0), "all 8 of the region");
        for (int i = 0; i < 4; i++) {
            parent.release(i % 4, 88 + i);
            assertEquals(64 - 1 - 8, parent.free(0), "the region stays while an SPI of it is used");
        }
        parent.release(0, 92);
        assertEquals(63, parent.free(0));
        Irq next = new Irq(new Device("ims0", "platform", 1), 0, 40);
        assertEquals(81, parent.allocate(next, 0), "the first free SPI");
    }

    @Test
    void anSpiNotInUseCannotBeReleasedOrActivatedByAnotherIrq() {
        Irq irq = new Irq(new Device("ims0", "platform", 1), 0, 24);
        assertThrows(IllegalStateException.class, () -> parent.release(0, 80));
        int spi = parent.allocate(irq, 0);
        Irq other = new Irq(irq.device(), 1, 25);
        assertThrows(IllegalStateException.class, () -> parent.activate(other, 0, spi));
        assertThrows(IllegalArgumentException.class, () -> parent.allocate(irq, 4));
    }

    private static BitSet bits(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            b.set(c);
        }
        return b;
    }
}
