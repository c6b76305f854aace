package org.msidomain.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.msidomain.core.internal.MsiDomainImpl;
import org.msidomain.hw.internal.MachineDescription;
import org.msidomain.hw.internal.MachineSpec;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.hw.internal.pci.PciAddress;
import org.msidomain.hw.internal.pci.PciDump;
import org.msidomain.spi.MsiStorageOps;

/** Synthetic machines for the benchmarks that need more than the default machine has. */
final class Machines {

    private Machines() {
    }

    /** A PCI function 01:00.0 with an MSI-X table of 2048 entries in BAR0 (PBA at 0x8000). */
    static SimMachine msix2048(int cpus) {
        byte[] cfg = new byte[256];
        put16(cfg, 0x00, 0x8086);
        put16(cfg, 0x02, 0x1234);
        put16(cfg, 0x06, 0x10);      // Status: capability list
        cfg[0x34] = 0x40;
        cfg[0x40] = 0x11;            // MSI-X, last capability
        put16(cfg, 0x42, 0x07FF);    // table size 2048
        put32(cfg, 0x44, 0x0000);    // table: BAR0 + 0
        put32(cfg, 0x48, 0x8000);    // PBA: BAR0 + 0x8000
        PciDump dump = new PciDump(PciAddress.parse("01:00.0"), cfg, "", "synthetic");
        return new SimMachine(new MachineSpec(identity(cpus), List.of(dump), List.of()));
    }

    /** {@code devices} platform devices of 2048 slots each on {@code cpus} CPUs (APIC ids 0..cpus-1). */
    static SimMachine platform(int cpus, int devices) {
        List<MachineDescription.PlatformEntry> platform = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            platform.add(new MachineDescription.PlatformEntry("dev" + i, 2048, false));
        }
        return new SimMachine(new MachineSpec(identity(cpus), List.of(), Set.of(), null, List.of(), platform, List.of()));
    }

    static MsiDomainImpl domain(SimMachine machine, MsiStorageOps ops, String type) {
        MsiDomainImpl domain = X86Domains.domain(machine);
        bind(domain, ops, type, 1);
        return domain;
    }

    static void bind(MsiDomainImpl domain, MsiStorageOps ops, String type, long serviceId) {
        domain.bindStorageOps(ops, Map.of("service.id", serviceId, MsiStorageOps.STORAGE_TYPE, type));
        settle(domain);
    }

    static void settle(MsiDomainImpl domain) {
        try {
            if (!domain.awaitSettled(60_000)) {
                throw new IllegalStateException("binder did not settle");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> identity(int cpus) {
        List<Integer> ids = new ArrayList<>(cpus);
        for (int i = 0; i < cpus; i++) {
            ids.add(i);
        }
        return ids;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    private static void put32(byte[] b, int at, int v) {
        put16(b, at, v);
        put16(b, at + 2, v >> 16);
    }
}
