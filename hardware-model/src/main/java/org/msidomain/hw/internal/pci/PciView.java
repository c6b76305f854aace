package org.msidomain.hw.internal.pci;

import org.msidomain.hw.ConfigSpace;

/** What lspci prints for one function: its address and its live config space. */
public record PciView(PciAddress address, ConfigSpace config) {
}
