package org.msidomain.hw;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/** A device of the machine that can signal interrupts by message. */
@ConsumerType
public interface HwDevice {

    /** The short id: {@code 00:04.0} for PCI (domain shown only when not 0), {@code hpet} ... */
    String id();

    /**
     * The full name used in chip names: {@code 0000:00:04.0} for PCI; a device that is no PCI function returns
     * its id.
     */
    String fullName();

    /**
     * The storage type a provider must serve for this device's messages ({@code pci}, {@code hpet},
     * {@code dmar}, {@code platform}, ...), or an empty string if it cannot signal by message.
     */
    String storageType();

    /**
     * Every storage the device has, each with its own storage type, the default one ({@link #storageType()})
     * first: a PCI function with MSI-X and an IMS slot array has {@code [pci, ims]}. Each is served by a
     * provider of its type, swapped and restored on its own (Linux 6.2+: a default MSI domain and secondary
     * ones per device). No two storages of a device have the same type.
     *
     * @since 1.1
     */
    default List<String> storageTypes() {
        return storageType().isEmpty() ? List.of() : List.of(storageType());
    }

    /** The PCI requester id (bus &lt;&lt; 8 | device &lt;&lt; 3 | function), or -1 if the device has none. */
    int requesterId();

    /**
     * The configuration space of a PCI function, or empty. A device of any kind that has one is shown by
     * {@code msi:lspci} (at its id when that is a {@code bb:dd.f} address, else at its requester id), and the
     * built-in {@code pci} storage provider can serve it when its storage types include {@code pci}.
     */
    Optional<ConfigSpace> config();

    /**
     * A memory region of the device: PCI BAR {@code n}, or region 0 for a device with one register block.
     *
     * @throws IllegalArgumentException if the device has no such region
     */
    Mmio region(int n);

    /** The hypervisor that owns this device's MSI table, if one does. */
    default Optional<Hypervisor> hypervisor() {
        return Optional.empty();
    }

    /**
     * What a storage provider may read of the device besides its registers: usually the description's properties
     * the provider needs (timer capabilities, queue depth, which region holds a slot array). Not the place for
     * state that changes.
     */
    Map<String, String> properties();

    /**
     * The device raises its interrupt {@code index}: it reads its own registers and either sends the
     * message or latches it as pending, as the hardware would (a storage that is disabled, PCI MSI or MSI-X Enable
     * clear, sends no message: a PCI function would signal INTx instead). Allocation-free and lock-free.
     *
     * @throws IllegalArgumentException if the device has no such interrupt
     */
    void raise(int index);

    /**
     * The device raises interrupt {@code index} of its storage {@code storageType}: the default storage's
     * type is {@link #raise(int)}; a secondary storage (an IMS slot array beside MSI-X) raises that storage's
     * interrupt, sending or latching as its hardware does. Allocation-free and lock-free.
     *
     * @throws IllegalArgumentException if the device has no such storage or no such interrupt
     * @since 1.1
     */
    default void raise(String storageType, int index) {
        if (storageType.equals(storageType())) {
            raise(index);
            return;
        }
        throw new IllegalArgumentException("device " + id() + (storageTypes().contains(storageType)
                ? " does not raise its storage " + storageType : " has no storage " + storageType + " (it has "
                + String.join(", ", storageTypes()) + ")"));
    }

    /**
     * How many events of an interrupt of one of the device's storages merged at the source with one already
     * pending there (an MSI-X PBA bit, an MSI pending bit, a slot's pending bit, a DMAR unit's open status episode),
     * since the device was created: several raises, one message. With what the domain counts
     * ({@code MsiDomain#merged}), it closes an interrupt's accounts: raised = delivered + merged.
     *
     * @return the count, or -1 if the device does not count merges per interrupt
     * @since 1.2
     */
    default long merged(String storageType, int index) {
        return -1;
    }
}
