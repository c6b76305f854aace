package org.msidomain.api;

/** How a device's storage is served by a provider. */
public enum BindingState {
    /** A provider serves the device's storage. */
    BOUND,
    /** No provider of the device's storage type is bound; the device keeps its programmed messages. */
    UNBOUND,
    /** The provider failed on this device; see the reason. */
    FAILED,
    /**
     * The machine description lists the device but it is not part of the machine yet: no bundle provides
     * its kind (the reason names it). It comes up when one arrives.
     *
     * @since 1.3
     */
    WAITING
}
