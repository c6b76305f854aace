package org.msidomain.app.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Mmio;

/**
 * How the shell, as the HPET's driver, picks timers: like Linux's {@code hpet_msi_capability_lookup}
 * (arch/x86/kernel/hpet.c) it takes only timers whose Tn_FSB_INT_DEL_CAP bit is set, each at its own
 * index (MSI index = timer number). Timers 0 and 1 of a PC's HPET usually cannot deliver by FSB message,
 * so allocating indices 0..COUNT-1 as for other devices would be refused.
 */
final class HpetTimers {

    static final String STORAGE_TYPE = "hpet";
    /** General Capabilities: NUM_TIM_CAP in bits 12:8 (the number of timers minus one). */
    private static final int CAPABILITIES = 0x000;
    /** Timer n's Configuration and Capabilities register; Tn_FSB_INT_DEL_CAP is bit 15 (IA-PC HPET 1.0a 2.3.8). */
    private static final int TIMER_CONFIG = 0x100;
    private static final int TIMER_STRIDE = 0x20;
    private static final int FSB_CAP = 1 << 15;

    private HpetTimers() {
    }

    /** The timers that can deliver by FSB message, in timer order. */
    static List<Integer> fsbCapable(HwDevice hpet) {
        Mmio regs = hpet.region(0);
        int timers = ((regs.read32(CAPABILITIES) >> 8) & 0x1F) + 1;
        List<Integer> capable = new ArrayList<>();
        for (int n = 0; n < timers; n++) {
            if ((regs.read32(TIMER_CONFIG + TIMER_STRIDE * n) & FSB_CAP) != 0) {
                capable.add(n);
            }
        }
        return capable;
    }

    /**
     * Allocates the first {@code count} free FSB-capable timers; if one allocation fails, the ones made by
     * this call are freed again, so a refusal leaves the device as it was.
     */
    static int[] allocate(MsiDomain domain, HwDevice hpet, int count, String variant) {
        if (!variant.isEmpty()) {
            throw new IllegalArgumentException(hpet.id() + ": an HPET has no storage variant ('" + variant + "')");
        }
        if (count < 1) {
            throw new IllegalArgumentException("vector count must be at least 1, not " + count);
        }
        Set<Integer> used = domain.irqs().stream().filter(i -> i.device().equals(hpet.id())).map(IrqInfo::index)
                .collect(Collectors.toSet());
        List<Integer> capable = fsbCapable(hpet);
        List<Integer> free = capable.stream().filter(t -> !used.contains(t)).toList();
        if (free.size() < count) {
            throw new IllegalArgumentException(hpet.id() + ": " + count + " timers requested, " + free.size()
                    + " free of those that can deliver by FSB message " + capable);
        }
        int[] irqs = new int[count];
        int made = 0;
        try {
            for (; made < count; made++) {
                irqs[made] = domain.allocateAt(hpet.id(), free.get(made));
            }
            return irqs;
        } catch (RuntimeException e) {
            for (int i = 0; i < made; i++) {
                domain.freeIrq(irqs[i]);
            }
            throw e;
        }
    }
}
