package org.msidomain.hw.internal.pci;

/**
 * One function's config space as a dump gave it.
 *
 * @param address where the function sits
 * @param bytes   exactly the bytes present (64, 256 or 4096 for real dumps)
 * @param header  the dump's header line, or an empty string
 * @param source  the file (and line) it came from
 */
public record PciDump(PciAddress address, byte[] bytes, String header, String source) {
}
