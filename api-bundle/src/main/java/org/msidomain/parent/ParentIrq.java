package org.msidomain.parent;

import org.msidomain.spi.MsiDescView;

/**
 * An interrupt as its parent sees it: the descriptor, with the device it belongs to. Implemented by the domain;
 * the same object stands for the same interrupt from allocation to free, so a parent may key its own state on it.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ParentIrq extends MsiDescView {

    /** The storage the interrupt belongs to. */
    ParentDevice device();
}
