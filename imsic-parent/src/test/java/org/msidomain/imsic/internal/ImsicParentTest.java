package org.msidomain.imsic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.VectorSink;
import org.msidomain.hw.irqchip.Imsic;
import org.msidomain.hw.internal.MachineLoader;
import org.msidomain.hw.internal.SimMachine;
import org.msidomain.parent.ParentIrq;

/** The parent's own sequences on the bundled machine, driven as the domain drives them, without a domain. */
class ImsicParentTest {

    private SimMachine machine;
    private Imsic imsic;
    private ImsicParent parent;
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void machine() {
        machine = new SimMachine(MachineLoader.build(MachineLoader.bundled(ImsicParent.ARCH_NAME)));
        machine.connect(new VectorSink() {
            @Override
            public void accept(int cpu, int id) {
                delivered.add(cpu + ":" + id);
            }
        });
        imsic = machine.irqchip(Imsic.class).orElseThrow();
        parent = new ImsicParent(machine);
    }

    private static ParentIrq irq(int number) {
        return (ParentIrq) Proxy.newProxyInstance(ParentIrq.class.getClassLoader(), new Class<?>[] { ParentIrq.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "irq" -> number;
                    case "hashCode" -> number;
                    case "equals" -> proxy == args[0];
                    case "toString" -> "irq " + number;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aMoveUndoneBeforeTheDeviceTookTheNewMessageGivesTheInterruptBackToTheOldIdentity() {
        ParentIrq irq = irq(24);
        int id = parent.allocate(irq, 0);
        MsiMsg old = parent.activate(irq, 0, id);
        parent.unmask(irq);
        int newId = parent.allocate(irq, 2);
        parent.activate(irq, 2, newId);
        assertFalse(imsic.enabled(0, id), "moved: the old identity disabled");
        machine.injectMessage(imsic.fileAddress(2), newId, null); // caught by the new identity before the undo
        assertEquals(List.of("2:" + newId), delivered);
        machine.injectMessage(old.address(), old.data(), null);  // the device still sends the old message
        parent.release(2, newId); // the domain undoes the move: the storage write failed
        assertTrue(imsic.enabled(0, id), "the old identity enabled again");
        assertEquals(0, parent.used(2));
        assertEquals(List.of("2:" + newId, "0:" + id), delivered, "what the old identity held is delivered there");
        machine.injectMessage(old.address(), old.data(), null);
        assertEquals("0:" + id, delivered.get(2));
        parent.mask(irq);
        assertFalse(imsic.enabled(0, id), "the interrupt's target is the old identity again");
    }

    @Test
    void anInterimTargetIsOnlyTheOldHartWithTheNewIdentity() {
        ParentIrq irq = irq(24);
        ParentIrq other = irq(25);
        assertEquals(2, parent.allocate(other, 3));
        int id = parent.allocate(irq, 1);
        parent.activate(irq, 1, id);
        int moved = parent.allocateForMove(irq, 1, id, 3);
        assertEquals(3, moved, "the lowest free on the new hart, free on the old one too");
        MsiMsg interim = parent.activate(irq, 1, moved);
        assertEquals(imsic.fileAddress(1), interim.address());
        assertEquals(moved, interim.data());
        assertFalse(imsic.enabled(1, moved), "the interim identity stays disabled");
        assertThrows(IllegalStateException.class, () -> parent.activate(irq, 3, 2), "another irq's identity");
    }
}
