package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.hw.Machine;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * The platform boots with no provider; each provider bundle, installed and started alone, binds the
 * devices of its storage type, which then deliver; uninstalling it leaves them unbound again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ProvidersAloneIT extends MsiTestSupport {

    @Inject
    private Machine machine;

    @Configuration
    public Option[] config() {
        return baseConfiguration(false);
    }

    @Test
    public void eachProviderAloneBindsAndDeliversItsDevices() throws Exception {
        domain.awaitSettled(10_000);
        assertTrue(domain.providers().isEmpty());
        assertTrue(domain.devices().stream().allMatch(d -> d.state() == BindingState.UNBOUND));
        check("pci-provider", "pci", List.of("00:01.0", "00:1f.2"));
        check("hpet-provider", "hpet", List.of("hpet"));
        check("dmar-provider", "dmar", List.of("dmar0"));
        check("platform-provider", "platform", List.of("ims0", "queue0"));
    }

    private void check(String artifact, String type, List<String> devices) throws Exception {
        Bundle provider = installProvider(artifact, "itest:" + artifact);
        for (DeviceInfo d : domain.devices()) {
            if (d.storageType().equals(type)) {
                awaitState(d.id(), BindingState.BOUND);
            } else {
                assertEquals(d.id() + " stays unbound", BindingState.UNBOUND, d.state());
            }
        }
        for (String id : devices) {
            int index = id.equals("hpet") ? 3 : 0; // HPET timer 3 can deliver by FSB
            int irq = id.equals("hpet") ? domain.allocateAt(id, index) : domain.allocate(id, 1)[0];
            AtomicLong handled = new AtomicLong();
            domain.setHandler(irq, "it", (i, cpu) -> handled.incrementAndGet());
            machine.device(id).get().raise(index);
            assertEquals(id + " delivers through " + artifact, 1, handled.get());
            domain.free(id);
        }
        provider.uninstall();
        for (String id : devices) {
            awaitState(id, BindingState.UNBOUND);
        }
    }
}
