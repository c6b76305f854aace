package org.msidomain.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.DeviceKind;
import org.msidomain.hw.DevicePort;
import org.msidomain.hw.DeviceSpec;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.hw.MachineListener;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.WaitingDevice;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A device kind registered and unregistered as a service while the framework runs: the machine's described
 * device of that kind waits, is created when the service comes (listeners told on the registering thread)
 * and leaves when it goes; the built-in kinds are services of their own, in place before the machine.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceKindIT extends MsiTestSupport {

    private static final String GENERATION = "msi.machine.generation";
    private static final long WAIT_S = 20;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    @After
    public void deleteConfigurations() throws Exception {
        org.osgi.service.cm.Configuration[] all = configAdmin
                .listConfigurations("(service.factoryPid=org.msidomain.machine.device)");
        for (org.osgi.service.cm.Configuration c : all == null ? new org.osgi.service.cm.Configuration[0] : all) {
            c.delete();
        }
        awaitMachine(ref -> ((String[]) ref.getProperty("msi.machine.configurations")).length == 0);
    }

    @Test
    public void theBuiltInKindsAreServicesAndNothingOfTheirsWaits() throws Exception {
        List<String> kinds = new ArrayList<>();
        for (ServiceReference<DeviceKind> ref : context.getServiceReferences(DeviceKind.class, "(msi.device.kind.builtin=true)")) {
            kinds.add((String) ref.getProperty(DeviceKind.KIND));
        }
        kinds.sort(null);
        assertEquals(List.of("dmar", "hpet", "pci", "platform"), kinds);
        Machine machine = context.getService(awaitMachine(r -> true));
        assertEquals(List.of(), machine.waiting());
        List<String> known = domain.devices().stream().map(d -> d.id()).toList();
        for (String builtIn : List.of("00:04.0", "hpet", "dmar0", "ims0", "queue0")) {
            assertTrue("the domain, built from the first machine's devices, has " + builtIn + ": " + known,
                    known.contains(builtIn));
        }
        assertTrue(machine.device("00:04.0").isPresent());
        assertTrue(machine.device("hpet").isPresent());
    }

    @Test
    public void aDeviceOfAnOutsideKindWaitsArrivesWithItsServiceAndLeavesWithIt() throws Exception {
        long before = gen(awaitMachine(r -> true));
        org.osgi.service.cm.Configuration ntb = configAdmin.getFactoryConfiguration("org.msidomain.machine.device",
                "ntb", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("kind", "ntb");
        props.put("name", "ntb0");
        props.put("requesterId", "03:00.0");
        props.put("property.doorbells", 2);
        ntb.update(props);
        Machine machine = context.getService(awaitMachine(r -> gen(r) > before));
        assertEquals(List.of(new WaitingDevice("ntb0", "ntb", "no device kind 'ntb' is installed")), machine.waiting());
        assertFalse(machine.device("ntb0").isPresent());

        List<String> events = new CopyOnWriteArrayList<>();
        MachineListener listener = new MachineListener() {
            @Override
            public void deviceAdded(HwDevice device) {
                events.add("added " + device.id() + " " + Thread.currentThread().getName());
            }

            @Override
            public void deviceRemoved(HwDevice device) {
                events.add("removed " + device.id() + " " + Thread.currentThread().getName());
            }
        };
        machine.addListener(listener);
        List<DeviceSpec> specs = new CopyOnWriteArrayList<>();
        List<HwDevice> destroyed = new CopyOnWriteArrayList<>();
        Dictionary<String, Object> kindProps = new Hashtable<>();
        kindProps.put(DeviceKind.KIND, "ntb");
        String me = Thread.currentThread().getName();
        ServiceRegistration<DeviceKind> registration = context.registerService(DeviceKind.class, new DeviceKind() {
            @Override
            public HwDevice create(DeviceSpec spec, DevicePort port) {
                specs.add(spec);
                return new Plain(spec.name(), port);
            }

            @Override
            public void destroy(HwDevice device) {
                destroyed.add(device);
            }
        }, kindProps);
        try {
            assertEquals("SCR binds a dynamic reference on the registering thread", List.of("added ntb0 " + me), events);
            assertEquals(List.of(), machine.waiting());
            HwDevice device = machine.device("ntb0").orElseThrow();
            assertEquals(0x0300, device.requesterId());
            assertEquals(Map.of("doorbells", "2"), specs.get(0).properties());
        } finally {
            registration.unregister();
        }
        assertEquals(List.of("added ntb0 " + me, "removed ntb0 " + me), events);
        assertEquals(1, destroyed.size());
        assertEquals(List.of(new WaitingDevice("ntb0", "ntb", "no device kind 'ntb' is installed")), machine.waiting());
        assertFalse(machine.device("ntb0").isPresent());
        machine.removeListener(listener);
    }

    /** The smallest device: one register block, no messages. */
    private static final class Plain implements HwDevice, Mmio {

        private final String id;
        private final DevicePort port;

        Plain(String id, DevicePort port) {
            this.id = id;
            this.port = port;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String fullName() {
            return id;
        }

        @Override
        public String storageType() {
            return "";
        }

        @Override
        public int requesterId() {
            return port.requesterId();
        }

        @Override
        public Optional<ConfigSpace> config() {
            return Optional.empty();
        }

        @Override
        public Mmio region(int n) {
            return this;
        }

        @Override
        public Map<String, String> properties() {
            return Map.of();
        }

        @Override
        public void raise(int index) {
        }

        @Override
        public long size() {
            return 4;
        }

        @Override
        public int read32(long offset) {
            return 0;
        }

        @Override
        public void write32(long offset, int value) {
        }
    }

    private static long gen(ServiceReference<?> ref) {
        return (Long) ref.getProperty(GENERATION);
    }

    /** Waits, bounded, for the machine service that passes the test (configuration events are asynchronous). */
    private ServiceReference<Machine> awaitMachine(Predicate<ServiceReference<Machine>> test) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            try {
                for (ServiceReference<Machine> ref : context.getServiceReferences(Machine.class, null)) {
                    if (test.test(ref)) {
                        return ref;
                    }
                }
                Thread.sleep(10);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no Machine service as expected within " + WAIT_S + " s");
    }
}
