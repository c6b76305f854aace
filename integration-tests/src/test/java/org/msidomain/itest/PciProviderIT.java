package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.ProviderInfo;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * The working slice in a real Felix: a device's vectors are allocated through the pci-provider's
 * service (its MSI-X table entries read back), and stopping and starting the provider bundle neither stops
 * delivery nor loses the domain's state. Delivery on the affinity CPU of every vector is the conformance
 * kit's delivery check (conformance-tests' PciConformanceIT).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class PciProviderIT extends MsiTestSupport {

    private static final String NIC = "00:04.0"; // virtio-net, MSI-X with 4 entries

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @After
    public void startProviderAgain() throws Exception {
        installed(PCI_PROVIDER).start();
    }

    @Test
    public void vectorsAreAllocatedThroughThePciProvidersService() throws Exception {
        DeviceInfo bound = awaitState(NIC, BindingState.BOUND);
        assertEquals(PCI_PROVIDER, bound.provider());
        int[] irqs = domain.allocate(NIC, 4);
        assertEquals(4, irqs.length);
        for (int irq : irqs) {
            domain.setHandler(irq, "it", (n, cpu) -> { }); // request_irq: leaves reservation mode
        }
        assertEquals("PCI-MSIX-0000:00:04.0", domain.irq(irqs[0]).get().chip());

        HwDevice nic = machine.device(NIC).get();
        ConfigSpace config = nic.config().get();
        int cap = 0x98; // from the real dump: Capabilities: [98] MSI-X
        assertEquals(0x11, config.read8(cap));
        int control = config.read16(cap + 2);
        assertEquals("MSI-X Enable set, Function Mask clear", 0x8000, control & 0xC000);
        for (int i = 0; i < 4; i++) {
            IrqInfo info = domain.irq(irqs[i]).get();
            long entry = 0x8000 + 16L * i; // Vector table: BAR=0 offset=00008000
            int addressLo = nic.region(0).read32(entry);
            int data = nic.region(0).read32(entry + 8);
            assertEquals("entry " + i + " targets its CPU's APIC", info.cpu(), (addressLo >>> 12) & 0xFF);
            assertEquals(0xFEE, addressLo >>> 20);
            assertEquals(info.vector(), data & 0xFF);
            assertEquals("entry unmasked", 0, nic.region(0).read32(entry + 12) & 1);
        }
        ProviderInfo pci = domain.providers().stream().filter(p -> p.symbolicName().equals(PCI_PROVIDER)).findFirst().get();
        assertEquals(java.util.List.of("pci"), pci.storageTypes());
        assertEquals("serves the default machine's 8 PCI functions with MSI or MSI-X", 8, pci.devices());
        assertEquals(4, pci.vectors());
    }

    @Test
    public void interruptsArriveWhileTheProviderIsStoppedAndItRebinds() throws Exception {
        awaitState(NIC, BindingState.BOUND);
        int irq = domain.allocate(NIC, 4)[0];
        AtomicInteger handled = new AtomicInteger();
        domain.setHandler(irq, "test", (n, cpu) -> handled.incrementAndGet());
        HwDevice nic = machine.device(NIC).get();

        Bundle provider = installed(PCI_PROVIDER);
        provider.stop();
        awaitState(NIC, BindingState.UNBOUND);
        assertTrue(domain.providers().stream().noneMatch(p -> p.symbolicName().equals(PCI_PROVIDER)));
        for (int i = 0; i < 100; i++) {
            nic.raise(0);
        }
        assertEquals("the programmed message still delivers", 100, handled.get());
        domain.setAffinity(irq, 1); // deferred until a provider writes it

        provider.start();
        DeviceInfo rebound = awaitState(NIC, BindingState.BOUND);
        assertEquals(PCI_PROVIDER, rebound.provider());
        IrqInfo info = domain.irq(irq).get();
        assertEquals("the deferred affinity was applied at restore", 1, info.cpu());
        int addressLo = nic.region(0).read32(0x8000);
        assertEquals(machine.apicId(1), (addressLo >>> 12) & 0xFF);
        for (int i = 0; i < 100; i++) {
            nic.raise(0);
        }
        assertEquals(200, handled.get());
        assertEquals(Long.valueOf(100), domain.irq(irq).get().counts().get(1));
    }
}
