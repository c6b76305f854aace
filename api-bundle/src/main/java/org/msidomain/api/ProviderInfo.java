package org.msidomain.api;

import java.util.List;

/**
 * A storage provider the domain has bound.
 *
 * @param bundleId     the providing bundle's id
 * @param symbolicName the providing bundle's symbolic name
 * @param version      the providing bundle's version
 * @param storageTypes the storage types the provider serves
 * @param state        {@code active} while it serves devices, or why not
 * @param devices      the number of devices it serves
 * @param vectors      the number of vectors on those devices
 */
public record ProviderInfo(long bundleId, String symbolicName, String version, List<String> storageTypes,
        String state, int devices, int vectors) {
}
