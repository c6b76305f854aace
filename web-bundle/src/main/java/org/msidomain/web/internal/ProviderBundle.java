package org.msidomain.web.internal;

/**
 * An installed bundle that declares a storage provider service, whether or not it is running.
 *
 * @param bundleId     the bundle id
 * @param symbolicName its symbolic name
 * @param version      its version
 * @param state        its life-cycle state in lower case: {@code installed}, {@code resolved}, {@code starting},
 *                     {@code active}, {@code stopping}
 */
record ProviderBundle(long bundleId, String symbolicName, String version, String state) {
}
