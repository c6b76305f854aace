package org.msidomain.gicv2m.internal;

import java.util.HashMap;
import java.util.Map;

import org.msidomain.parent.ParentDevice;
import org.msidomain.parent.ParentIrq;

/**
 * Which interrupt owns which SPI of the frame, and how many of the domain's (CPU, SPI) slots use it. An SPI is a
 * global id: the interrupt keeps it across moves (the core takes the new slot before it releases the old one), so
 * it goes back to the frame only when no slot uses it any more. A multi-message block takes one aligned region for
 * the whole block, as {@code gicv2m_irq_domain_alloc} does for {@code nr_irqs}, its irq {@code i} getting
 * base + i, and gives it back whole when its last SPI is released ({@code gicv2m_unalloc_msi}).
 *
 * <p>Not thread-safe: the parent calls it on the domain's control path only, except {@link #free()}.
 */
final class SpiOwners {

    /** A multi-message block's region; {@code live} of its SPIs have an owner. */
    private static final class Block {
        final int offset;
        final int size;
        int live;

        Block(int offset, int size) {
            this.offset = offset;
            this.size = size;
        }
    }

    private final int first;
    private final int count;
    private final SpiBitmap bitmap;
    private final int[] refs;
    private final ParentIrq[] owner;
    private final Block[] blockOf;
    private final Map<ParentIrq, Integer> spiOf = new HashMap<>();
    private final Map<ParentDevice, Block> blocks = new HashMap<>();
    private volatile int free;

    SpiOwners(int first, int count) {
        this.first = first;
        this.count = count;
        this.bitmap = new SpiBitmap(count);
        this.refs = new int[count];
        this.owner = new ParentIrq[count];
        this.blockOf = new Block[count];
        this.free = count;
    }

    /** The SPI an interrupt owns, or -1. */
    int spi(ParentIrq irq) {
        Integer spi = spiOf.get(irq);
        return spi == null ? -1 : spi;
    }

    /**
     * Gives an interrupt an SPI, not referenced yet: one of its own, or its place in its device's block.
     *
     * @throws IllegalStateException if the frame has no room (Linux's {@code -ENOSPC})
     */
    int take(ParentIrq irq) {
        ParentDevice device = irq.device();
        int size = device.blockSize();
        int offset;
        if (size > 1) {
            Block block = blocks.get(device);
            if (block == null) {
                int at = bitmap.take(size);
                if (at < 0) {
                    throw new IllegalStateException("no " + size + " aligned free SPIs left in the GICv2m frame (SPIs "
                            + range() + ") for the MSI block of " + device.id());
                }
                block = new Block(at, size);
                blocks.put(device, block);
            }
            offset = block.offset + irq.index();
            if (irq.index() >= block.size || owner[offset] != null) {
                throw new IllegalStateException("MSI " + irq.index() + " of " + device.id() + " has no place in its block of "
                        + block.size + " SPIs from " + (first + block.offset));
            }
            block.live++;
            blockOf[offset] = block;
        } else {
            offset = bitmap.take(1);
            if (offset < 0) {
                throw new IllegalStateException("no free SPI left in the GICv2m frame (SPIs " + range() + ")");
            }
        }
        free = bitmap.free();
        owner[offset] = irq;
        spiOf.put(irq, first + offset);
        return first + offset;
    }

    /** One more slot uses an SPI. */
    void ref(int spi) {
        refs[spi - first]++;
    }

    /**
     * One slot less uses an SPI; returns whether that was the last one, so the SPI went back to the frame (with its
     * block's region if it was the block's last).
     */
    boolean unref(int spi) {
        int offset = spi - first;
        if (offset < 0 || offset >= count || refs[offset] == 0) {
            throw new IllegalStateException("SPI " + spi + " is not in use");
        }
        if (--refs[offset] > 0) {
            return false;
        }
        ParentIrq irq = owner[offset];
        owner[offset] = null;
        spiOf.remove(irq);
        Block block = blockOf[offset];
        blockOf[offset] = null;
        if (block == null) {
            bitmap.give(offset, 1);
        } else if (--block.live == 0) {
            bitmap.give(block.offset, block.size);
            blocks.remove(irq.device(), block);
        }
        free = bitmap.free();
        return true;
    }

    /** SPIs not taken (a block's unused members count as taken, as in Linux's bitmap). */
    int free() {
        return free;
    }

    /** Whether an SPI has an owner. */
    boolean owned(int spi) {
        return owner[spi - first] != null;
    }

    private String range() {
        return first + "-" + (first + count - 1);
    }
}
