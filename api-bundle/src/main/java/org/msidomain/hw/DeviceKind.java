package org.msidomain.hw;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of device the machine can hold (a PCI function, an HPET block, an NTB bridge, ...): a bundle
 * registers one service per kind with the service property {@value #KIND}, and the machine creates through
 * it every device its description lists with that kind. The built-in kinds are registered the same way.
 *
 * <p>A described device whose kind has no service waits (the domain lists it as {@code WAITING}); it is
 * created when a service of its kind arrives, and removed, as a surprise-removed device, when that service
 * leaves. The highest {@code service.ranking} of a kind creates its devices; a device stays with the
 * service that created it until that service leaves (a better one arriving later disturbs nothing).
 *
 * @since 1.1
 */
@ConsumerType
public interface DeviceKind {

    /** The service property: the kind's name, as the machine description's {@code "kind"} says it. */
    String KIND = "msi.device.kind";

    /**
     * Creates a device from its description entry. Called once per device (again only after a
     * {@link #destroy}), on the thread that builds the machine or registers the kind, never from the
     * interrupt path. The machine hands out the device wrapped: it adds the read-back flush and stops
     * passing on raises and register accesses once the device has left.
     *
     * @param spec the device's entry in the machine description
     * @param port how the device reaches the machine: message writes, merged events
     * @return the device; its {@link HwDevice#id()} must be {@code spec.name()}
     * @throws IllegalArgumentException if the entry cannot describe a device of this kind, with a message
     *                                  that names the property and the problem
     */
    HwDevice create(DeviceSpec spec, DevicePort port);

    /**
     * The device leaves the machine (its kind's service went away, or the machine is shut down): stop
     * whatever it runs on its own. After this the machine never calls it again.
     */
    default void destroy(HwDevice device) {
    }
}
