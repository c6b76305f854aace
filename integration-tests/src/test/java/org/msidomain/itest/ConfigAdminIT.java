package org.msidomain.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.Machine;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageRequest;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;

/**
 * The machine and the providers configured through Config Admin while the framework runs: a
 * configuration change builds a new machine (the domain is activated again on it), a factory
 * configuration adds a device that binds and delivers, deleting it removes the device, a provider's
 * option takes effect at once, and a bad configuration is refused with its PID and key while the
 * running machine keeps delivering.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigAdminIT extends MsiTestSupport {

    private static final String MACHINE_PID = "org.msidomain.machine";
    private static final String GENERATION = "msi.machine.generation";
    private static final String REFUSED = "msi.machine.refused";
    private static final long WAIT_S = 20;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private MetaTypeService metaType;

    @Configuration
    public Option[] config() {
        return baseConfiguration();
    }

    /** Every test starts from the launcher's machine: vectors freed, configurations deleted, built again. */
    @After
    public void deleteConfigurations() throws Exception {
        MsiDomain now = awaitDomain();
        for (DeviceInfo d : now.devices()) {
            if (d.vectors() > 0) {
                now.free(d.id());
            }
        }
        org.osgi.service.cm.Configuration[] all = configAdmin
                .listConfigurations("(|(service.pid=org.msidomain.*)(service.factoryPid=org.msidomain.*))");
        for (org.osgi.service.cm.Configuration c : all == null ? new org.osgi.service.cm.Configuration[0] : all) {
            c.delete();
        }
        awaitMachine(ref -> ((String[]) ref.getProperty("msi.machine.configurations")).length == 0
                && ref.getProperty(REFUSED) == null);
        awaitDomain();
    }

    // ---- the machine ----

    @Test
    public void aCpuCountConfiguredAtRuntimeBuildsANewMachineWithTheSameDevices() throws Exception {
        assertEquals(4, domain.cpuCount());
        List<String> devices = ids(domain);
        long before = generation();

        update(MACHINE_PID, "cpus", 8);
        ServiceReference<Machine> ref = awaitMachine(r -> gen(r) > before);
        assertArrayEquals(new String[] { MACHINE_PID }, (String[]) ref.getProperty("msi.machine.configurations"));
        MsiDomain fresh = awaitDomain();
        domain = fresh;
        awaitState("00:04.0", BindingState.BOUND);
        assertEquals(8, fresh.cpuCount());
        assertEquals(8, context.getService(ref).cpuCount());
        assertEquals("the description's devices are all there", devices, ids(fresh));

        int irq = fresh.allocate("00:04.0", 1)[0];
        AtomicLong handled = new AtomicLong();
        fresh.setHandler(irq, "it", (n, cpu) -> handled.incrementAndGet());
        fresh.setAffinity(irq, 7);
        context.getService(ref).device("00:04.0").get().raise(0);
        assertEquals(1, handled.get());
        assertEquals("counted on CPU7, which only the new machine has", Long.valueOf(1),
                fresh.irq(irq).get().counts().get(7));
    }

    @Test
    public void aPlatformDeviceAddedByAFactoryConfigurationBindsDeliversAndGoesWhenDeleted() throws Exception {
        long before = generation();
        org.osgi.service.cm.Configuration ims9 = configAdmin.getFactoryConfiguration(MACHINE_PID + ".platform", "ims9",
                "?");
        ims9.update(props("name", "ims9", "slots", 4));
        Machine machine = context.getService(awaitMachine(r -> gen(r) > before));
        domain = awaitDomain();
        DeviceInfo bound = awaitState("ims9", BindingState.BOUND);
        assertEquals("org.msidomain.provider.platform", bound.provider());
        assertEquals(4, domain.maxVectors("ims9"));
        assertDelivers(domain, machine, "ims9", 3);

        long added = generation();
        ims9.delete();
        awaitMachine(r -> gen(r) > added);
        domain = awaitDomain();
        assertFalse(ids(domain).contains("ims9"));
        assertTrue(ids(domain).contains("ims0"));
    }

    @Test
    public void aPciFunctionFromADumpBindsToThePciProviderAndDelivers() throws Exception {
        File dump = new File("target/test-classes/dumps/mellanox-mt27520-connectx3pro.txt").getAbsoluteFile();
        assertTrue(dump.getPath(), dump.isFile());
        long before = generation();
        configAdmin.getFactoryConfiguration(MACHINE_PID + ".pci", "nic", "?")
                .update(props("dump", dump.getPath(), "slot", "0a:00.0"));
        Machine machine = context.getService(awaitMachine(r -> gen(r) > before));
        domain = awaitDomain();
        assertEquals(PCI_PROVIDER, awaitState("0a:00.0", BindingState.BOUND).provider());
        int irq = assertDelivers(domain, machine, "0a:00.0", 0);
        assertEquals("PCI-MSIX-0000:0a:00.0", domain.irq(irq).get().chip());
        assertTrue(machine.lspci(0, null).contains("0a:00.0"));
    }

    @Test
    public void turningRemappingOnAndOffChangesTheChips() throws Exception {
        long before = generation();
        update(MACHINE_PID, "interruptRemapping", true, "irtSize", 512);
        Machine machine = context.getService(awaitMachine(r -> gen(r) > before));
        assertEquals(512, machine.remapping().get().tableSize());
        domain = awaitDomain();
        awaitState("00:04.0", BindingState.BOUND);
        int irq = assertDelivers(domain, machine, "00:04.0", 0);
        assertEquals("IR-PCI-MSIX-0000:00:04.0", domain.irq(irq).get().chip());

        long on = generation();
        update(MACHINE_PID, "interruptRemapping", false);
        machine = context.getService(awaitMachine(r -> gen(r) > on));
        assertFalse(machine.remapping().isPresent());
        domain = awaitDomain();
        awaitState("00:04.0", BindingState.BOUND);
        irq = assertDelivers(domain, machine, "00:04.0", 0);
        assertEquals("PCI-MSIX-0000:00:04.0", domain.irq(irq).get().chip());
    }

    @Test
    public void aBadConfigurationIsRefusedNamingPidAndKeyAndTheRunningMachineKeepsDelivering() throws Exception {
        ServiceReference<Machine> running = awaitMachine(r -> true);
        Machine machine = context.getService(running);
        awaitState("00:04.0", BindingState.BOUND);
        int irq = assertDelivers(domain, machine, "00:04.0", 0);

        org.osgi.service.cm.Configuration bad = configAdmin.getFactoryConfiguration(MACHINE_PID + ".platform", "bad", "?");
        bad.update(props("name", "ims7", "slots", 0));
        ServiceReference<Machine> refused = awaitMachine(r -> r.getProperty(REFUSED) != null);
        assertEquals(MACHINE_PID + ".platform~bad: slots: 1-2048, not 0", refused.getProperty(REFUSED));
        assertEquals("the same machine service", running.getProperty("service.id"), refused.getProperty("service.id"));
        assertEquals(gen(running), gen(refused));
        assertTrue("the same domain: nothing was re-activated", domain.irq(irq).isPresent());
        machine.device("00:04.0").get().raise(0);
        assertEquals(Long.valueOf(2), domain.irq(irq).get().counts().stream().reduce(0L, Long::sum));

        update(MACHINE_PID, "cpus", "many");
        ServiceReference<Machine> again = awaitMachine(r -> String.valueOf(r.getProperty(REFUSED)).startsWith(MACHINE_PID + ":"));
        assertEquals(MACHINE_PID + ": cpus: 'many' is not an integer", again.getProperty(REFUSED));
        configAdmin.getConfiguration(MACHINE_PID, "?").delete();

        bad.update(props("name", "ims7", "slots", 2)); // corrected: applied
        ServiceReference<Machine> fixed = awaitMachine(r -> gen(r) > gen(running));
        assertNull(fixed.getProperty(REFUSED));
        domain = awaitDomain();
        assertEquals(BindingState.BOUND, awaitState("ims7", BindingState.BOUND).state());
    }

    // ---- the providers' options ----

    @Test
    public void thePreferredPciVariantChangesLiveWithoutANewMachine() throws Exception {
        long before = generation();
        awaitState("04:00.0", BindingState.BOUND); // LSI SAS2008: MSI (1 vector) and MSI-X (15 entries)
        assertEquals(15, domain.maxVectors("04:00.0"));
        assertEquals("PCI-MSIX-0000:04:00.0", domain.irq(domain.allocate("04:00.0", 1)[0]).get().chip());
        domain.free("04:00.0");

        update(PCI_PROVIDER, "preferredVariant", "msi");
        awaitService(MsiStorageOps.class, r -> "msi".equals(r.getProperty("preferredVariant")));
        assertEquals("what an allocation naming no variant can get", 1, domain.maxVectors("04:00.0"));
        int irq = domain.allocate("04:00.0", 1)[0];
        assertEquals("PCI-MSI-0000:04:00.0", domain.irq(irq).get().chip());
        AtomicLong handled = new AtomicLong();
        domain.setHandler(irq, "it", (n, cpu) -> handled.incrementAndGet());
        context.getService(awaitMachine(r -> true)).device("04:00.0").get().raise(0);
        assertEquals(1, handled.get());
        assertEquals("MSI-X still where the driver asks for it", "PCI-MSIX-0000:00:04.0",
                domain.irq(domain.allocate("00:04.0", 1, "msix")[0]).get().chip());
        assertEquals("a provider option builds no new machine", before, generation());
    }

    @Test
    public void aRankingConfiguredAtRuntimeChoosesTheProviderAgain() throws Exception {
        ServiceReference<MsiStorageOps> platformRef = awaitService(MsiStorageOps.class,
                r -> "platform".equals(r.getProperty(MsiStorageOps.STORAGE_TYPE))
                        && "org.msidomain.provider.platform".equals(r.getBundle().getSymbolicName()));
        MsiStorageOps real = context.getService(platformRef);
        Dictionary<String, Object> props = props(MsiStorageOps.STORAGE_TYPE, "platform", "service.ranking", 5);
        ServiceRegistration<MsiStorageOps> rival = context.registerService(MsiStorageOps.class, new MsiStorageOps() {
            @Override
            public MsiStorage createStorage(HwDevice device, StorageRequest request) {
                return real.createStorage(device, request);
            }

            @Override
            public int maxVectors(HwDevice device) {
                return real.maxVectors(device);
            }
        }, props);
        try {
            String probe = context.getBundle().getSymbolicName();
            awaitProvider("ims0", probe);
            Machine machine = context.getService(awaitMachine(r -> true));
            int irq = assertDelivers(domain, machine, "ims0", 1);

            update("org.msidomain.provider.platform", "service.ranking", 10);
            awaitProvider("ims0", "org.msidomain.provider.platform");
            machine.device("ims0").get().raise(1);
            assertEquals("restored through the provider now chosen and delivering", Long.valueOf(2),
                    domain.irq(irq).get().counts().stream().reduce(0L, Long::sum));

            configAdmin.getConfiguration("org.msidomain.provider.platform", "?").delete();
            awaitProvider("ims0", probe);
        } finally {
            rival.unregister();
        }
    }

    // ---- metatype ----

    @Test
    public void theMetatypeDescribesEveryPidAndKey() {
        MetaTypeInformation hw = metaType.getMetaTypeInformation(installed("org.msidomain.hw"));
        assertEquals(Set.of(MACHINE_PID), Set.of(hw.getPids()));
        assertEquals(Set.of(MACHINE_PID + ".pci", MACHINE_PID + ".platform", MACHINE_PID + ".dmar",
                MACHINE_PID + ".device"), Set.of(hw.getFactoryPids()));
        assertEquals(Set.of("kind", "name", "requesterId"), attributes(hw, MACHINE_PID + ".device"));
        assertEquals(Set.of("cpus", "apicIds", "baseDevices", "hpetTimers", "hpetFsbTimers", "interruptRemapping",
                "irtSize"), attributes(hw, MACHINE_PID));
        assertEquals(Set.of("dump", "slot", "owner"), attributes(hw, MACHINE_PID + ".pci"));
        assertEquals(Set.of("name", "slots", "queued"), attributes(hw, MACHINE_PID + ".platform"));
        assertEquals(Set.of("name", "irtSize"), attributes(hw, MACHINE_PID + ".dmar"));
        AttributeDefinition slots = Arrays.stream(hw.getObjectClassDefinition(MACHINE_PID + ".platform", null)
                .getAttributeDefinitions(org.osgi.service.metatype.ObjectClassDefinition.ALL))
                .filter(a -> a.getID().equals("slots")).findFirst().get();
        assertEquals(AttributeDefinition.INTEGER, slots.getType());
        assertArrayEquals(new String[] { "8" }, slots.getDefaultValue());

        MetaTypeInformation pci = metaType.getMetaTypeInformation(installed(PCI_PROVIDER));
        assertEquals(Set.of(PCI_PROVIDER), Set.of(pci.getPids()));
        assertEquals(Set.of("service.ranking", "preferredVariant"), attributes(pci, PCI_PROVIDER));
        for (String provider : List.of("org.msidomain.provider.hpet", "org.msidomain.provider.dmar",
                "org.msidomain.provider.platform")) {
            assertEquals(Set.of("service.ranking"), attributes(metaType.getMetaTypeInformation(installed(provider)),
                    provider));
        }
    }

    // ---- helpers ----

    private static Set<String> attributes(MetaTypeInformation info, String pid) {
        return Arrays.stream(info.getObjectClassDefinition(pid, null)
                .getAttributeDefinitions(org.osgi.service.metatype.ObjectClassDefinition.ALL))
                .map(AttributeDefinition::getID).collect(Collectors.toSet());
    }

    private void update(String pid, Object... keyValues) throws Exception {
        configAdmin.getConfiguration(pid, "?").update(props(keyValues));
    }

    private static Dictionary<String, Object> props(Object... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            d.put((String) keyValues[i], keyValues[i + 1]);
        }
        return d;
    }

    /** Allocates vectors up to INDEX, attaches a handler to it, fires it once: delivered once. Returns its irq. */
    private static int assertDelivers(MsiDomain domain, Machine machine, String device, int index) {
        int irq = domain.allocate(device, index + 1)[index];
        AtomicLong handled = new AtomicLong();
        domain.setHandler(irq, "it", (n, cpu) -> handled.incrementAndGet());
        machine.device(device).get().raise(index);
        assertEquals(device + "/" + index + " delivered", 1, handled.get());
        return irq;
    }

    private static long gen(ServiceReference<?> ref) {
        return (Long) ref.getProperty(GENERATION);
    }

    private long generation() {
        return gen(awaitMachine(r -> true));
    }

    private ServiceReference<Machine> awaitMachine(Predicate<ServiceReference<Machine>> test) {
        return awaitService(Machine.class, test);
    }

    /** Waits, bounded, for the one service of a type that passes the test. */
    private <T> ServiceReference<T> awaitService(Class<T> type, Predicate<ServiceReference<T>> test) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            try {
                for (ServiceReference<T> ref : context.getServiceReferences(type, null)) {
                    if (test.test(ref)) {
                        return ref;
                    }
                }
                Thread.sleep(10); // configuration events are delivered asynchronously
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " service as expected within " + WAIT_S + " s");
    }

    /**
     * The domain on the current machine once it can be used: registered after the machine (SCR activates it
     * when the machine comes, a static reference) and gettable. SCR registers the domain before it creates
     * it, and creates it on the thread that registered the machine, with the cascade of everything bound to
     * the domain; a getService meanwhile waits for SCR's lock and, past SCR's lock timeout (5 s, reached on a
     * loaded machine), returns null. A machine replaced meanwhile means the next machine's domain. Both are
     * waited for, so the test goes on exactly when the current machine's domain is usable.
     */
    private MsiDomain awaitDomain() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        String seen = "no Machine service";
        while (System.nanoTime() < deadline) {
            try {
                ServiceReference<Machine> machine = context.getServiceReference(Machine.class);
                long machineId = machine == null ? Long.MAX_VALUE : id(machine);
                for (ServiceReference<MsiDomain> ref : machine == null ? List.<ServiceReference<MsiDomain>>of()
                        : context.getServiceReferences(MsiDomain.class, null)) {
                    if (id(ref) > machineId) {
                        MsiDomain d = context.getService(ref);
                        if (d != null && machine.getBundle() != null) {
                            return d; // the machine is still registered: this is its domain
                        }
                        if (d != null) {
                            context.ungetService(ref);
                        }
                        seen = "machine " + machineId + ", domain " + id(ref)
                                + (d == null ? " not gettable (SCR still creating it)" : " of a machine replaced meanwhile");
                    } else {
                        seen = "machine " + machineId + ", no domain registered after it";
                    }
                }
                Thread.sleep(10); // SCR activates the domain on the thread that registered the machine
            } catch (InterruptedException | InvalidSyntaxException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no usable MsiDomain on the current machine within " + WAIT_S + " s: " + seen);
    }

    private static long id(ServiceReference<?> ref) {
        return (Long) ref.getProperty("service.id");
    }

    private void awaitProvider(String device, String provider) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        String now = null;
        while (System.nanoTime() < deadline) {
            domain.awaitSettled(10_000);
            now = domain.devices().stream().filter(d -> d.id().equals(device)).findFirst().get().provider();
            if (provider.equals(now)) {
                return;
            }
            Thread.sleep(10); // a service event not yet dispatched
        }
        throw new AssertionError(device + " is served by " + now + ", not " + provider);
    }

    private static List<String> ids(MsiDomain domain) {
        return domain.devices().stream().map(DeviceInfo::id).toList();
    }
}
