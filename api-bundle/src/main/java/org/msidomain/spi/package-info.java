/**
 * The provider SPI of the generic MSI domain: a storage provider bundle registers an
 * {@link org.msidomain.spi.MsiStorageOps} service per storage type it serves; the domain binds to it
 * dynamically and creates through it one {@link org.msidomain.spi.MsiStorage} per device.
 *
 * <p>1.1: a provider may {@linkplain org.msidomain.spi.MsiStorageOps#decline decline} a device, which then
 * goes to the next provider of its type by ranking. 1.2: a storage whose messages the firmware chooses
 * ({@link org.msidomain.spi.StorageFlag#HYPERVISOR_OWNED}) is read back
 * ({@link org.msidomain.spi.MsiStorage#readMsg}), released in SDK 1.1.0. 1.3: a restore is announced to the storage
 * ({@link org.msidomain.spi.MsiStorage#restoreBegin}, {@link org.msidomain.spi.MsiStorage#restoreEnd}).
 */
@Export
@Version("1.3.0")
package org.msidomain.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
