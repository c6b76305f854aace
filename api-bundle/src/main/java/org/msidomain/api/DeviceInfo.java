package org.msidomain.api;

/**
 * A device the domain knows, with its binding state.
 *
 * @param id          the device id ({@code 00:04.0}, {@code hpet/2}, ...)
 * @param storageType the storage type a provider must serve for it
 * @param state       the binding state
 * @param provider    the symbolic name of the bound provider bundle, or an empty string
 * @param vectors     the number of allocated vectors
 * @param reason      why the device is not bound, or an empty string
 */
public record DeviceInfo(String id, String storageType, BindingState state, String provider, int vectors,
        String reason) {
}
