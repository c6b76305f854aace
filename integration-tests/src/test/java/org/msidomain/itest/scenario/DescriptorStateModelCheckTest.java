package org.msidomain.itest.scenario;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Systematic interleaving checks (Lincheck model checking) of the per-descriptor state machine: mask,
 * unmask and affinity changes from one thread against the device firing from others, on maskable MSI-X
 * (moved masked, PBA latch) and on non-maskable 32-bit MSI (Linux's two-step move with the IRR
 * retrigger, masking at the destination). Removing the retrigger of the interim vector, for example, makes
 * the third check fail within seconds with the interleaving affinity(1) || fire().
 */
class DescriptorStateModelCheckTest {

    /** Scenarios and interleavings per scenario: short in {@code mvn verify}, longer with -Dmsi.lincheck.scale=N. */
    private static final int SCALE = Integer.getInteger("msi.lincheck.scale", 1);

    /**
     * Lincheck calls an invocation hung when it runs longer than a wall-clock bound (30 s by default). The first
     * invocations instrument classes (ASM retransformation), which on a loaded 2-core machine once took longer than
     * that with no thread of ours running; the bound is raised so that only a real hang is reported. Lincheck 3.7
     * has the setter as a Kotlin internal member, hence its compiled name.
     */
    private static final long INVOCATION_TIMEOUT_MS = 180_000;

    private static ModelCheckingOptions options(int threads, int invocations) {
        return new ModelCheckingOptions().iterations(2 * SCALE).invocationsPerIteration(invocations * SCALE)
                .threads(threads).actorsPerThread(2).actorsBefore(0).actorsAfter(0)
                .invocationTimeout$lincheck(INVOCATION_TIMEOUT_MS);
    }

    @Test
    void msixMaskUnmaskAndAffinityAgainstFiring() {
        options(3, 200).check(Msix.class);
    }

    @Test
    void nonMaskableMsiMaskUnmaskAndAffinityAgainstFiring() {
        options(3, 200).check(NonMaskableMsi.class);
    }

    @Test
    void nonMaskableMsiTwoStepMoveAgainstFiring() {
        options(2, 500).check(NonMaskableMove.class);
    }

    /** Driver and device operations on one interrupt, with masking. */
    public abstract static class WithMasking extends DescriptorModelCheck {
        WithMasking(String dump, String variant) {
            super(dump, variant);
        }

        @Operation
        public void mask() {
            doMask();
        }

        @Operation
        public void unmask() {
            doUnmask();
        }
    }

    /** virtio-net's MSI-X, entry 0. */
    public static class Msix extends WithMasking {
        public Msix() {
            super("0000:00:04.0.bin", "msix");
        }
    }

    /** The ICH10 AHCI controller's 32-bit MSI without per-vector masking. */
    public static class NonMaskableMsi extends WithMasking {
        public NonMaskableMsi() {
            super("intel-ich10-sata-ahci.txt", "msi");
        }
    }

    /** Only the device firing and the two-step move between the CPUs, so every interleaving tried is one of them. */
    public static class NonMaskableMove extends DescriptorModelCheck {
        public NonMaskableMove() {
            super("intel-ich10-sata-ahci.txt", "msi");
        }
    }
}
