package org.msidomain.spi;

/**
 * What the domain asks of a device's storage when it creates it.
 *
 * @param vectors the number of vectors the driver asked for (the storage refuses more than it holds)
 */
public record StorageRequest(int vectors) {
}
