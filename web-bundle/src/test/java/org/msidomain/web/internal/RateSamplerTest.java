package org.msidomain.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiMsg;

class RateSamplerTest {

    private static IrqInfo irq(int irq, String device, int index, Long... counts) {
        return new IrqInfo(irq, device, index, "PCI-MSIX-0000:" + device, 0, 0x41, MsiMsg.ZERO, false, false, List.of(counts), "");
    }

    @Test
    void ratesArePerCpuCountDifferencesOverTheWindow() {
        RateSampler.Window w = RateSampler.between(
                List.of(irq(24, "00:04.0", 0, 0L, 10L), irq(25, "00:04.0", 1, 5L, 5L), irq(26, "00:04.0", 2, 9L, 0L)), 0,
                List.of(irq(24, "00:04.0", 0, 50L, 10L), irq(25, "00:01.0", 0, 6L, 5L), irq(26, "00:04.0", 2, 1L, 0L),
                        irq(27, "00:04.0", 3, 1L, 1L)),
                500_000_000L);
        assertEquals(500.0, w.millis());
        assertEquals(List.of(100.0, 0.0), w.rates().get(24));
        assertNull(w.rates().get(25), "the number now belongs to another device: no rate yet");
        assertEquals(List.of(0.0, 0.0), w.rates().get(26), "a count that went down (freed, allocated again) is no rate");
        assertNull(w.rates().get(27), "new: no rate yet");
        assertEquals(RateSampler.Window.NONE, RateSampler.between(List.of(), 5, List.of(), 5));
    }

    @Test
    void theTimerMeasuresRatesUntilClosed() throws Exception {
        AtomicLong reads = new AtomicLong();
        CountDownLatch threeReadings = new CountDownLatch(3);
        MsiDomain domain = (MsiDomain) Proxy.newProxyInstance(MsiDomain.class.getClassLoader(),
                new Class<?>[] { MsiDomain.class }, (proxy, method, args) -> {
                    if (!method.getName().equals("irqs")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    threeReadings.countDown();
                    return List.of(irq(24, "00:04.0", 0, 0L, 1000 * reads.incrementAndGet()));
                });
        // The clock a reading sees: exactly one period per reading, whenever the timer really ran it.
        LongSupplier clock = () -> reads.get() * TimeUnit.MILLISECONDS.toNanos(RateSampler.PERIOD_MS);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (RateSampler sampler = new RateSampler(domain, timer, clock)) {
            assertTrue(threeReadings.await(60, TimeUnit.SECONDS), "the timer reads the domain again and again");
            // the third reading has begun, so the second (one thread) has made a window
            RateSampler.Window w = sampler.latest();
            assertEquals(500.0, w.millis());
            assertEquals(List.of(0.0, 2000.0), w.rates().get(24), "1000 more per 500 ms on CPU1: 2000/s");
        }
        assertTrue(timer.isShutdown(), "closed: the timer is stopped");
        assertTrue(timer.awaitTermination(60, TimeUnit.SECONDS), "and its thread ends: no more readings");
    }
}
