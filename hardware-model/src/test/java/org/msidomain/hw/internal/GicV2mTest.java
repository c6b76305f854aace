package org.msidomain.hw.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.hw.irqchip.GicV2m;

/**
 * The GICv2m frame as Linux's irq-gic-v2m.c reads it (MSI_TYPER at 0x008: base SPI in bits 25:16, count in 9:0;
 * the message address is the frame + MSI_SETSPI_NS 0x040, the data the SPI INTID) and the distributor as irq-gic.c
 * drives it (GICD_ISENABLER/ICENABLER, one GICD_ITARGETSR bit). The frame is QEMU virt's: 0x08020000, 64 SPIs from
 * INTID 80 (hw/arm/virt.c: irqmap[VIRT_GIC_V2M] = 48, arm_gicv2m.c adds 32).
 */
class GicV2mTest {

    private SimMachine machine;
    private GicV2m v2m;
    private final ArchMachines.Recorder cpus = new ArchMachines.Recorder();

    @BeforeEach
    void v2mMachine() {
        machine = ArchMachines.machine("{\"arch\": \"arm64-gicv2m\", \"cpus\": 4}");
        machine.connect(cpus);
        v2m = machine.irqchip(GicV2m.class).orElseThrow();
    }

    @Test
    void msiTyperDecodesAsLinuxReadsIt() {
        int typer = v2m.typer();
        assertEquals(80, (typer >> 16) & 0x3FF, "V2M_MSI_TYPER_BASE_SPI");
        assertEquals(64, typer & 0x3FF, "V2M_MSI_TYPER_NUM_SPI");
        assertEquals(0x0802_0040L, v2m.setSpiAddress());
        assertEquals("arm64-gicv2m", machine.arch());
    }

    @Test
    void aSetspiWriteRaisesThatSpiOnItsTargetCpu() {
        v2m.route(83, 2);
        v2m.enable(83);
        assertEquals("delivered to CPU2 SPI 83", machine.injectMessage(0x0802_0040L, 83, null));
        assertEquals(List.of("2:83"), cpus.delivered());
        v2m.route(83, 1); // affinity through the distributor: the frame's message is unchanged
        machine.injectMessage(0x0802_0040L, 83, null);
        assertEquals(List.of("2:83", "1:83"), cpus.delivered());
        assertEquals(1, v2m.target(83));
    }

    @Test
    void aDisabledSpiStaysPendingAndIsDeliveredOnceOnEnable() {
        v2m.route(84, 3);
        assertFalse(v2m.enabled(84), "disabled after reset");
        assertEquals("held pending: SPI 84 is disabled", machine.injectMessage(0x0802_0040L, 84, null));
        machine.injectMessage(0x0802_0040L, 84, null);
        assertTrue(v2m.pending(84));
        assertEquals(1, machine.coalescedMessages());
        assertEquals(List.of(), cpus.delivered());
        v2m.enable(84);
        assertEquals(List.of("3:84"), cpus.delivered());
        assertFalse(v2m.pending(84));
        v2m.disable(84);
        v2m.enable(84);
        assertEquals(List.of("3:84"), cpus.delivered(), "once");
    }

    @Test
    void spisOutsideTheFrameAndOtherAddressesAreDropped() {
        assertEquals("dropped: SPI 79 is not one of the v2m frame's SPIs 80-143", machine.injectMessage(0x0802_0040L, 79, null));
        assertEquals("dropped: SPI 144 is not one of the v2m frame's SPIs 80-143", machine.injectMessage(0x0802_0040L, 144, null));
        assertEquals("dropped: not the v2m frame's MSI_SETSPI_NS (0x8020040)", machine.injectMessage(0x0802_0000L, 83, null));
        assertEquals(3, machine.lostMessages());
        assertThrows(IllegalArgumentException.class, () -> v2m.route(83, 4));
        assertThrows(IllegalArgumentException.class, () -> v2m.enable(1020));
    }
}
