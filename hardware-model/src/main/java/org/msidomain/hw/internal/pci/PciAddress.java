package org.msidomain.hw.internal.pci;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PCI function's address, {@code [domain:]bus:device.function}, ordered as lspci sorts devices. */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    private static final Pattern FORM = Pattern.compile("(?:([0-9a-fA-F]{1,6}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

    public PciAddress {
        if (bus < 0 || bus > 0xFF || device < 0 || device > 0x1F || function < 0 || function > 7 || domain < 0) {
            throw new IllegalArgumentException(String.format("not a PCI address: %x:%x:%x.%x", domain, bus, device, function));
        }
    }

    /** Parses {@code bb:dd.f} or {@code dddd:bb:dd.f} (hex). */
    public static PciAddress parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address [domain:]bus:dev.fn");
        }
        int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
        return new PciAddress(domain, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16),
                Integer.parseInt(m.group(4)));
    }

    /** The requester id: bus, device, function in 16 bits. */
    public int requesterId() {
        return bus << 8 | device << 3 | function;
    }

    /** {@code 0000:00:04.0}. */
    public String full() {
        return String.format("%04x:%02x:%02x.%d", domain, bus, device, function);
    }

    /** {@code 00:04.0}, with the domain only when it is not 0. */
    @Override
    public String toString() {
        return domain == 0 ? String.format("%02x:%02x.%d", bus, device, function) : full();
    }

    /** Whether the address matches an lspci {@code -s [[domain:]bus:][dev][.[fn]]} filter ({@code *} = any). */
    public boolean matches(String slot) {
        String s = slot.trim();
        String fn = null;
        int dot = s.lastIndexOf('.');
        if (dot >= 0) {
            fn = s.substring(dot + 1);
            s = s.substring(0, dot);
        }
        String[] parts = s.split(":", -1);
        String dev = parts[parts.length - 1];
        String bs = parts.length >= 2 ? parts[parts.length - 2] : null;
        String dom = parts.length >= 3 ? parts[parts.length - 3] : null;
        if (parts.length > 3) {
            throw new IllegalArgumentException("'" + slot + "' is not a slot filter [[domain:]bus:][dev][.[fn]]");
        }
        return field(dom, domain, slot) && field(bs, bus, slot) && field(dev, device, slot) && field(fn, function, slot);
    }

    private static boolean field(String f, int value, String slot) {
        if (f == null || f.isEmpty() || f.equals("*")) {
            return true;
        }
        try {
            return Integer.parseInt(f, 16) == value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + slot + "' is not a slot filter [[domain:]bus:][dev][.[fn]]");
        }
    }

    @Override
    public int compareTo(PciAddress o) {
        return Integer.compare(key(), o.key()) != 0 ? Integer.compare(key(), o.key()) : Integer.compare(domain, o.domain);
    }

    private int key() {
        return domain << 16 | requesterId();
    }
}
