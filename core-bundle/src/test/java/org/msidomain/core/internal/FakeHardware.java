package org.msidomain.core.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.msidomain.api.MsiMsg;
import org.msidomain.hw.ConfigSpace;
import org.msidomain.hw.HwDevice;
import org.msidomain.hw.LocalApic;
import org.msidomain.hw.Machine;
import org.msidomain.hw.Mmio;
import org.msidomain.hw.VectorSink;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;

/**
 * A minimal machine for the core's unit tests: devices hold one message and a mask bit per index and
 * deliver through the connected sink by decoding the x86 address, or latch while masked.
 */
final class FakeHardware {

    static final class Device implements HwDevice {
        final String id;
        final int size;
        final MsiMsg[] msgs;
        final boolean[] masked;
        final boolean[] pending;
        final FakeMachine machine;
        /** The storage types, default first; each has its own message bank of {@link #size} entries. */
        final List<String> types;
        final Map<String, MsiMsg[]> banks = new HashMap<>();
        /** Set when the device left the machine: it raises nothing any more. */
        volatile boolean gone;

        Device(FakeMachine machine, String id, int size) {
            this(machine, id, size, List.of("fake"));
        }

        Device(FakeMachine machine, String id, int size, List<String> types) {
            this.machine = machine;
            this.id = id;
            this.size = size;
            this.types = types;
            msgs = new MsiMsg[size];
            masked = new boolean[size];
            pending = new boolean[size];
            java.util.Arrays.fill(msgs, MsiMsg.ZERO);
            banks.put(types.get(0), msgs);
            for (String t : types.subList(1, types.size())) {
                MsiMsg[] bank = new MsiMsg[size];
                java.util.Arrays.fill(bank, MsiMsg.ZERO);
                banks.put(t, bank);
            }
        }

        MsiMsg[] bank(String type) {
            return banks.get(type);
        }

        /** Raises an entry of a secondary storage (no mask bits: its storage cannot mask); the default one's is raise(index). */
        @Override
        public synchronized void raise(String type, int index) {
            if (type.equals(storageType())) {
                raise(index);
            } else if (!gone) {
                machine.send(banks.get(type)[index], id, type, index);
            }
        }

        @Override
        public List<String> storageTypes() {
            return types;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String fullName() {
            return "0000:" + id;
        }

        @Override
        public String storageType() {
            return types.get(0);
        }

        @Override
        public int requesterId() {
            return -1;
        }

        @Override
        public Optional<ConfigSpace> config() {
            return Optional.empty();
        }

        @Override
        public Mmio region(int n) {
            throw new IllegalArgumentException("no region");
        }

        @Override
        public Map<String, String> properties() {
            return Map.of();
        }

        @Override
        public synchronized void raise(int index) {
            if (gone) {
                return;
            }
            if (masked[index]) {
                pending[index] = true;
                return;
            }
            machine.send(msgs[index], id, storageType(), index);
        }

        synchronized void setMasked(int index, boolean m) {
            masked[index] = m;
            if (!m && pending[index]) {
                pending[index] = false;
                machine.send(msgs[index], id, storageType(), index);
            }
        }
    }

    static final class FakeMachine implements Machine {
        final int cpus;
        final List<HwDevice> devices = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<org.msidomain.hw.MachineListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<org.msidomain.hw.WaitingDevice> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile VectorSink sink;
        long lost;

        FakeMachine(int cpus) {
            this.cpus = cpus;
            apics = new Apic[cpus];
            for (int i = 0; i < cpus; i++) {
                apics[i] = new Apic(i);
            }
        }

        Device add(String id, int size) {
            Device d = new Device(this, id, size);
            devices.add(d);
            return d;
        }

        Device add(String id, int size, List<String> types) {
            Device d = new Device(this, id, size, types);
            devices.add(d);
            return d;
        }

        /** The description lists a device whose kind has no model yet. */
        void await(String id, String kind) {
            waiting.add(new org.msidomain.hw.WaitingDevice(id, kind, "no bundle provides device kind '" + kind + "'"));
        }

        /** The device's kind arrived: it joins the machine and the listeners are told. */
        Device plug(String id, int size, List<String> types) {
            waiting.removeIf(w -> w.name().equals(id));
            Device d = add(id, size, types);
            listeners.forEach(l -> l.deviceAdded(d));
            return d;
        }

        /**
         * A surprise removal, as the model does it: the device stops raising, the raise in progress (if any)
         * finishes, then the listeners are told; the description still lists it, so it waits again.
         */
        void unplug(Device d, String kind) {
            d.gone = true;
            synchronized (d) { // raise holds the device's monitor: its last message has been delivered
                devices.remove(d);
            }
            await(d.id, kind);
            listeners.forEach(l -> l.deviceRemoved(d));
        }

        @Override
        public List<org.msidomain.hw.WaitingDevice> waiting() {
            return List.copyOf(waiting);
        }

        @Override
        public void addListener(org.msidomain.hw.MachineListener l) {
            listeners.add(l);
        }

        @Override
        public void removeListener(org.msidomain.hw.MachineListener l) {
            listeners.remove(l);
        }

        final Apic[] apics;

        /** A message written by entry {@code entry} of a device's storage (fake devices carry no requester id). */
        void send(MsiMsg msg, String device, String storageType, int entry) {
            VectorSink s = sink;
            // Intel SDM 11.11.1: a compatibility-format MSI address is 0xFEE in bits 31:20, the destination APIC id
            // in bits 19:12, bit 4 clear (not remappable); the vector is data bits 7:0
            boolean compatibility = msg.addressHi() == 0 && (msg.addressLo() >>> 20) == 0xFEE && (msg.addressLo() & 0x10) == 0;
            int destination = (msg.addressLo() >>> 12) & 0xFF;
            if (s == null || !compatibility || destination >= cpus) {
                lost++;
                return;
            }
            apics[destination].accept(msg.data() & 0xFF, device, storageType, entry);
        }

        @Override
        public LocalApic localApic(int cpu) {
            return apics[cpu];
        }

        /** An APIC with an IRR that holds messages while interrupts are disabled. */
        final class Apic implements LocalApic {
            final int cpu;
            final java.util.BitSet irr = new java.util.BitSet(256);
            volatile boolean disabled;

            Apic(int cpu) {
                this.cpu = cpu;
            }

            void accept(int vector, String device, String storageType, int entry) {
                if (disabled) {
                    if (irr.get(vector)) {
                        sink.merged(cpu, vector, device, storageType, entry); // merges with the one requested
                    } else {
                        sink.requested(cpu, vector, device, storageType, entry);
                    }
                    irr.set(vector);
                } else {
                    sink.accept(cpu, vector);
                }
            }

            @Override
            public int apicId() {
                return cpu;
            }

            @Override
            public void disableInterrupts() {
                disabled = true;
            }

            @Override
            public void enableInterrupts() {
                disabled = false;
                for (int v = irr.nextSetBit(0); v >= 0; v = irr.nextSetBit(v + 1)) {
                    irr.clear(v);
                    sink.accept(cpu, v);
                }
            }

            @Override
            public boolean irrSet(int vector) {
                return irr.get(vector);
            }

            @Override
            public boolean testAndClearIrr(int vector) {
                boolean set = irr.get(vector);
                irr.clear(vector);
                return set;
            }
        }

        @Override
        public int cpuCount() {
            return cpus;
        }

        @Override
        public int apicId(int cpu) {
            return cpu;
        }

        @Override
        public List<HwDevice> devices() {
            return devices;
        }

        @Override
        public Optional<HwDevice> device(String id) {
            return devices.stream().filter(d -> d.id().equals(id)).findFirst();
        }

        @Override
        public void connect(VectorSink s) {
            sink = s;
        }

        @Override
        public void disconnect(VectorSink s) {
            sink = null;
        }

        @Override
        public String injectMessage(long address, int data, String fromDevice) {
            send(new MsiMsg((int) address, (int) (address >>> 32), data), null, null, -1);
            return "sent";
        }

        @Override
        public long coalescedMessages() {
            return 0;
        }

        @Override
        public long lostMessages() {
            return lost;
        }

        @Override
        public String lspci(int verbosity, String slot) {
            return "";
        }
    }

    /** A storage provider whose storages write straight into the fake devices and log every call. */
    static final class Ops implements MsiStorageOps {

        private int capacity;
        final Set<StorageFlag> flags;
        final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, Storage> storages = new HashMap<>();
        /** Thrown by every message write: a RuntimeException or an Error. */
        volatile Throwable failWrite;
        /** The room the storage reports in its info, if not the device's real size: a provider that misreports. */
        volatile Integer reportedSize;
        /** Thrown by mask on the device with this id: a provider fault. */
        String faultyMaskOn;
        /** Blocks: operation {@link #blockIn} on the device {@link #blockOn}, the {@link #blockTimes} next times. */
        volatile String blockOn;
        volatile String blockIn;
        volatile int blockTimes = Integer.MAX_VALUE;
        /** Whether a blocked call gives up when interrupted (else it waits for {@link #release}). */
        volatile boolean interruptible = true;
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        /** Counted down when a call starts blocking. */
        final java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);

        /** A provider that hangs: on a latch, giving up on interrupt, or ignoring interrupts until released. */
        void maybeBlock(String op, String device) {
            if (!op.equals(blockIn) || !device.equals(blockOn) || blockTimes-- <= 0) {
                return;
            }
            blocked.countDown();
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException e) {
                    if (interruptible) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted in " + op);
                    }
                }
            }
        }

        /** Run one each, in order, before a message write / a mask takes effect (the device still as it was). */
        final java.util.Queue<Runnable> beforeWrite = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final java.util.Queue<Runnable> beforeMask = new java.util.concurrent.ConcurrentLinkedQueue<>();

        static void runNext(java.util.Queue<Runnable> hooks) {
            Runnable r = hooks.poll();
            if (r != null) {
                r.run();
            }
        }

        /** The storage type whose bank of the device the storages write. */
        volatile String type = "fake";
        /** Declines every device with this reason, if set. */
        volatile String declineWith;
        /** Thrown by decline, if set: a provider fault. */
        volatile RuntimeException declineThrows;
        /** Thrown by releaseStorage, if set. */
        volatile RuntimeException releaseThrows;
        final java.util.concurrent.atomic.AtomicInteger declineCalls = new java.util.concurrent.atomic.AtomicInteger();

        Ops(StorageFlag... flags) {
            this.flags = flags.length == 0 ? EnumSet.noneOf(StorageFlag.class) : EnumSet.of(flags[0], flags);
        }

        /** A provider of another storage type. */
        Ops ofType(String t) {
            type = t;
            return this;
        }

        /** What {@link #maxVectors} answers, instead of the device's size: tells this provider's answer apart. */
        Ops capacity(int vectors) {
            capacity = vectors;
            return this;
        }

        @Override
        public Optional<String> decline(HwDevice device) {
            declineCalls.incrementAndGet();
            maybeBlock("decline", device.id());
            RuntimeException fault = declineThrows;
            if (fault != null) {
                throw fault;
            }
            return Optional.ofNullable(declineWith);
        }

        @Override
        public void releaseStorage(MsiStorage storage) {
            log.add("release " + ((Storage) storage).device.id);
            RuntimeException fault = releaseThrows;
            if (fault != null) {
                throw fault;
            }
        }

        @Override
        public MsiStorage createStorage(HwDevice device, StorageRequest request) {
            Device d = (Device) device;
            maybeBlock("createStorage", d.id);
            if (request.vectors() > d.size) {
                throw new IllegalArgumentException(d.id + " holds " + d.size + " vectors");
            }
            log.add("create " + d.id);
            Storage s = new Storage(this, d);
            storages.put(d.id, s);
            return s;
        }

        @Override
        public int maxVectors(HwDevice device) {
            return capacity > 0 ? capacity : ((Device) device).size;
        }
    }

    static final class Storage implements MsiStorage {
        final Ops ops;
        final Device device;

        Storage(Ops ops, Device device) {
            this.ops = ops;
            this.device = device;
        }

        @Override
        public StorageInfo info() {
            Integer reported = ops.reportedSize;
            return new StorageInfo("FAKE-" + device.id, reported != null ? reported : device.size, ops.flags);
        }

        @Override
        public void writeMsg(MsiDescView desc, MsiMsg msg) {
            ops.maybeBlock("writeMsg", device.id);
            Throwable fault = ops.failWrite;
            if (fault instanceof RuntimeException e) {
                throw e;
            }
            if (fault instanceof Error e) {
                throw e;
            }
            Ops.runNext(ops.beforeWrite);
            ops.log.add("write " + device.id + "/" + desc.index() + " " + msg);
            device.bank(ops.type)[desc.index()] = msg;
        }

        @Override
        public void mask(MsiDescView desc) {
            if (device.id.equals(ops.faultyMaskOn)) {
                throw new NullPointerException("provider bug");
            }
            Ops.runNext(ops.beforeMask);
            ops.log.add("mask " + device.id + "/" + desc.index() + " parent=" + ((IrqDesc) desc).parentMasked);
            device.setMasked(desc.index(), true);
        }

        @Override
        public void unmask(MsiDescView desc) {
            ops.log.add("unmask " + device.id + "/" + desc.index() + " parent=" + ((IrqDesc) desc).parentMasked);
            device.setMasked(desc.index(), false);
        }

        @Override
        public void lock() {
            ops.maybeBlock("lock", device.id);
            ops.log.add("lock");
        }

        @Override
        public void unlock() {
            ops.log.add("unlock");
        }

        @Override
        public void enable() {
            ops.log.add("enable " + device.id);
        }
    }

    private FakeHardware() {
    }

    static Map<String, Object> props(long serviceId, int ranking) {
        return props(serviceId, ranking, "fake");
    }

    static Map<String, Object> props(long serviceId, int ranking, String type) {
        return Map.of("service.id", serviceId, "service.ranking", ranking, MsiStorageOps.STORAGE_TYPE, type,
                "msi.provider.name", type + "-" + serviceId);
    }
}
