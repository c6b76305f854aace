package org.msidomain.hw.internal.irqchip;

/** The message path of an {@code arm64-gicv3-its} machine: a write to GITS_TRANSLATER, nothing else. */
public final class ItsMessagePath implements MessagePath {

    private final SimGicIts its;
    private final Cpus cpus;
    private final long translater;

    public ItsMessagePath(SimGicIts its, Cpus cpus) {
        this.its = its;
        this.cpus = cpus;
        this.translater = its.translaterAddress();
    }

    @Override
    public void write(int addressLo, int addressHi, int data, int requesterId) {
        if (MessagePath.address(addressLo, addressHi) == translater) {
            its.translate(requesterId, data);
        } else {
            cpus.lostOne();
        }
    }

    @Override
    public String inject(int addressLo, int addressHi, int data, int requesterId) {
        if (MessagePath.address(addressLo, addressHi) != translater) {
            cpus.lostOne();
            return String.format("dropped: not the ITS's GITS_TRANSLATER (0x%x)", translater);
        }
        long outcome = its.translate(requesterId, data);
        int cpu = (int) (outcome >>> 32) & 0xFF_FFFF;
        int intid = (int) outcome;
        return switch ((int) (outcome >>> 56)) {
            case SimGicIts.DELIVERED -> "delivered to CPU" + cpu + " LPI " + intid;
            case SimGicIts.PENDING -> "held pending on CPU" + cpu + ": LPI " + intid + " is disabled";
            default -> "dropped: ITS translation error: " + SimGicIts.describe(outcome);
        };
    }
}
