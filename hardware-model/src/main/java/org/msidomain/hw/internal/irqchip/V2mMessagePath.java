package org.msidomain.hw.internal.irqchip;

/** The message path of an {@code arm64-gicv2m} machine: a write to the frame's MSI_SETSPI_NS, nothing else. */
public final class V2mMessagePath implements MessagePath {

    private final SimGicV2m v2m;
    private final Cpus cpus;
    private final long setSpi;

    public V2mMessagePath(SimGicV2m v2m, Cpus cpus) {
        this.v2m = v2m;
        this.cpus = cpus;
        this.setSpi = v2m.setSpiAddress();
    }

    @Override
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        if (MessagePath.address(addressLo, addressHi) == setSpi) {
            v2m.setSpi(data);
        } else {
            cpus.lostOne();
        }
    }

    @Override
    public String inject(int addressLo, int addressHi, int data, int requesterId) {
        if (MessagePath.address(addressLo, addressHi) != setSpi) {
            cpus.lostOne();
            return String.format("dropped: not the v2m frame's MSI_SETSPI_NS (0x%x)", setSpi);
        }
        int intid = data & 0x3FF;
        int first = v2m.typer() >>> 16 & 0x3FF;
        int count = v2m.typer() & 0x3FF;
        return switch (v2m.setSpi(data)) {
            case SimGicV2m.DELIVERED -> "delivered to CPU" + v2m.target(intid) + " SPI " + intid;
            case SimGicV2m.PENDING -> "held pending: SPI " + intid + " is disabled";
            default -> "dropped: SPI " + intid + " is not one of the v2m frame's SPIs " + first + "-" + (first + count - 1);
        };
    }
}
