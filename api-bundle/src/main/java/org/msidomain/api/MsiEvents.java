package org.msidomain.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The OSGi Event Admin topics and properties the domain posts (asynchronously) when providers come and
 * go. Subscribe with an {@code EventHandler} for {@code org/msidomain/*}; handlers must return quickly.
 * Constants defined by the domain, not to be implemented.
 */
@ProviderType
public interface MsiEvents {

    /** A provider was bound; the devices of its types are served by it. */
    String PROVIDER_BOUND = "org/msidomain/provider/BOUND";
    /** A provider was unbound; its devices keep delivering with the messages in their registers. */
    String PROVIDER_UNBOUND = "org/msidomain/provider/UNBOUND";
    /** A device's live vectors were restored through a newly bound provider. */
    String DEVICE_RESTORED = "org/msidomain/device/RESTORED";
    /** A provider failed on a device; the reason is in {@link #REASON}. */
    String DEVICE_FAILED = "org/msidomain/device/FAILED";
    /** A device joined the running machine (its kind arrived). @since 1.3 */
    String DEVICE_ADDED = "org/msidomain/device/ADDED";
    /**
     * A device left the running machine as a surprise removal: its vectors were freed, its handlers are no
     * longer called; {@link #VECTORS} says how many were freed. @since 1.3
     */
    String DEVICE_REMOVED = "org/msidomain/device/REMOVED";
    /** A provider declined a device; the reason is in {@link #REASON}. @since 1.3 */
    String DEVICE_DECLINED = "org/msidomain/device/DECLINED";
    /** Property: the storage type, where a device has several. @since 1.3 */
    String STORAGE = "storage";

    /** Property: the provider bundle's symbolic name. */
    String PROVIDER = "provider";
    /** Property: the provider bundle's version. */
    String VERSION = "version";
    /** Property: the storage types (String[]). */
    String TYPES = "types";
    /** Property: the device id. */
    String DEVICE = "device";
    /** Property: the number of vectors restored. */
    String VECTORS = "vectors";
    /** Property: why it failed. */
    String REASON = "reason";
}
