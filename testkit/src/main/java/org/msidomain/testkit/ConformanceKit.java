package org.msidomain.testkit;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.msidomain.hw.HwDevice;
import org.msidomain.testkit.internal.Checks;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The conformance kit: extend it ({@code public class ConformanceIT extends ConformanceKit { }}) and the
 * subclass is a complete Pax Exam test of the provider named by the {@code msi.conformance.*} system
 * properties ({@link Conformance}). Each check is one test and one row of the table the kit prints and writes
 * to the report file; a FAIL fails that test, the others still run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public abstract class ConformanceKit {

    /** The platform and the bundles under test; a subclass may override and add options. */
    @Configuration
    public Option[] config() {
        return Conformance.options();
    }

    /**
     * In-container hook, called from the kit's handler after each delivery: a device whose interrupt needs an
     * acknowledge (DMAR: clear the fault status) does it here. Called on the interrupt path: allocate nothing,
     * do not block. Default: nothing.
     */
    protected void acknowledge(HwDevice device, String storage, int index) {
    }

    /** Every device of the storage type bound to the provider; stop unbinds them, start binds them again. */
    @Test
    public void check1Binding() throws Exception {
        check("binding");
    }

    /** Allocation up to the storage's capacity works; one more is refused, the domain unchanged. */
    @Test
    public void check2Capacity() throws Exception {
        check("capacity");
    }

    /** Every vector delivered on its affinity CPU, steered to each CPU in turn. */
    @Test
    public void check3Delivery() throws Exception {
        check("delivery");
    }

    /** Events raised while masked: none delivered while masked, one on unmask (none where LOSSY_MASK). */
    @Test
    public void check4Mask() throws Exception {
        check("mask");
    }

    /** Affinity changes while every device fires: every event delivered once, nothing lost or spurious. */
    @Test
    public void check5AffinityUnderFire() throws Exception {
        check("affinity-under-fire");
    }

    /** A bus-locked storage lets nothing reach the device before unlock (N/A without BUS_LOCK). */
    @Test
    public void check6BusLock() throws Exception {
        check("bus-lock");
    }

    /** Stop/start, update, uninstall/install of the provider while every device fires: nothing lost or twice. */
    @Test
    public void check7HotSwap() throws Exception {
        check("hot-swap");
    }

    /** After uninstall and refresh no class loader, thread or vector of the provider is left. */
    @Test
    public void check8Leaks() throws Exception {
        check("leaks");
    }

    /** A higher-ranked provider that declines every device: they stay with the provider under test. */
    @Test
    public void check9Decline() throws Exception {
        check("decline");
    }

    /** Runs one check of the kit by its table name, adds its row; fails the test on a FAIL row. */
    protected final CheckRow check(String name) throws Exception {
        CheckRow row = runCheck(name);
        if (CheckRow.FAIL.equals(row.result())) {
            throw new AssertionError(name + ": " + row.measured());
        }
        return row;
    }

    /**
     * Runs one check by its table name ({@code binding}, {@code capacity}, ...) and returns its row without
     * failing: a test of a deliberately broken provider asserts the FAIL row itself.
     */
    protected final CheckRow runCheck(String name) throws Exception {
        Bundle kit = FrameworkUtil.getBundle(ConformanceKit.class);
        if (kit == null) {
            throw new IllegalStateException("the conformance kit runs outside OSGi: is the test run by PaxExam?");
        }
        return Checks.get(kit.getBundleContext(), this::acknowledge).run(name);
    }
}
