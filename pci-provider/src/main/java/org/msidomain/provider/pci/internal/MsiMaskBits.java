package org.msidomain.provider.pci.internal;

import org.msidomain.hw.ConfigSpace;

/**
 * How an MSI capability masks: with per-vector mask bits (PVM) or not at all. Chosen once per
 * storage. The mask word is cached, as Linux's {@code desc->pci.msi_mask}, and only bits of allocated
 * vectors are ever set ("no invalid mask bits").
 */
abstract class MsiMaskBits {

    abstract boolean canMask();

    abstract void mask(int k);

    abstract void unmask(int k);

    /** Unmasks everything, as MSI shutdown hands the device back. */
    abstract void unmaskAll();

    static MsiMaskBits of(ConfigSpace config, int maskRegister, boolean pvm) {
        return pvm ? new PerVector(config, maskRegister) : new None();
    }

    /** Per-vector masking: the mask register at +0x0C (32-bit layout) or +0x10 (64-bit). */
    static final class PerVector extends MsiMaskBits {
        private final ConfigSpace config;
        private final int register;
        private int cached;

        PerVector(ConfigSpace config, int register) {
            this.config = config;
            this.register = register;
            this.cached = config.read32(register);
        }

        @Override
        boolean canMask() {
            return true;
        }

        @Override
        void mask(int k) {
            cached |= 1 << k;
            config.write32(register, cached); // config writes are non-posted: no flush needed
        }

        @Override
        void unmask(int k) {
            cached &= ~(1 << k);
            config.write32(register, cached);
        }

        @Override
        void unmaskAll() {
            cached = 0;
            config.write32(register, 0);
        }
    }

    /** No per-vector masking: mask and unmask are no-ops at the source; the domain masks at the parent. */
    static final class None extends MsiMaskBits {
        @Override
        boolean canMask() {
            return false;
        }

        @Override
        void mask(int k) {
        }

        @Override
        void unmask(int k) {
        }

        @Override
        void unmaskAll() {
        }
    }
}
