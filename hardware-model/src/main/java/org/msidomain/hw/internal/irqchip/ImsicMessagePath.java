package org.msidomain.hw.internal.irqchip;

/** The message path of a {@code riscv-aia-imsic} machine: a write to a hart's seteipnum_le, nothing else. */
public final class ImsicMessagePath implements MessagePath {

    private final SimImsic imsic;
    private final Cpus cpus;

    public ImsicMessagePath(SimImsic imsic, Cpus cpus) {
        this.imsic = imsic;
        this.cpus = cpus;
    }

    @Override
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        int hart = imsic.hartAt(MessagePath.address(addressLo, addressHi));
        if (hart < 0) {
            cpus.lostOne();
            return;
        }
        imsic.signal(hart, data);
    }

    @Override
    public String inject(int addressLo, int addressHi, int data, int requesterId) {
        int hart = imsic.hartAt(MessagePath.address(addressLo, addressHi));
        if (hart < 0) {
            cpus.lostOne();
            return String.format("dropped: not an IMSIC interrupt file's seteipnum_le (0x%x + hart x 0x%x)", imsic.base(),
                    imsic.stride());
        }
        return switch (imsic.signal(hart, data)) {
            case SimImsic.DELIVERED -> "delivered to CPU" + hart + " identity " + data;
            case SimImsic.PENDING -> "held pending in hart " + hart + "'s file: identity " + data + " is disabled";
            case SimImsic.RESERVED -> "dropped: identity 0 is reserved";
            default -> "dropped: identity " + Integer.toUnsignedString(data) + " is beyond the file's " + imsic.identities()
                    + " identities";
        };
    }
}
