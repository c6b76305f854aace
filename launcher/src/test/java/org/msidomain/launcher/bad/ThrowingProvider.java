package org.msidomain.launcher.bad;

import java.util.EnumSet;
import java.util.Hashtable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiEvents;
import org.msidomain.api.MsiMsg;
import org.msidomain.hw.HwDevice;
import org.msidomain.spi.MsiDescView;
import org.msidomain.spi.MsiStorage;
import org.msidomain.spi.MsiStorageOps;
import org.msidomain.spi.StorageFlag;
import org.msidomain.spi.StorageInfo;
import org.msidomain.spi.StorageRequest;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * A provider bundle with a bug, packed by {@code ScriptErrorsIT} from this one class and installed from a
 * {@code -c} script: it serves the platform devices (ranked above the real provider) and throws in
 * {@code writeMsg}, so the domain's containment runs on the command's thread. Its command
 * {@code bad:alloc DEVICE} allocates one vector, prints the refusal's one line, then waits (bounded) for
 * the domain's DEVICE_FAILED event and prints it: the script goes on, and the event is seen before it
 * ends, whatever the timing.
 */
public final class ThrowingProvider implements BundleActivator, MsiStorageOps, MsiStorage {

    private final CompletableFuture<String> failed = new CompletableFuture<>();
    private BundleContext context;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        Hashtable<String, Object> ops = new Hashtable<>();
        ops.put(MsiStorageOps.STORAGE_TYPE, "platform");
        ops.put("service.ranking", 100);
        context.registerService(MsiStorageOps.class, this, ops);
        Hashtable<String, Object> topics = new Hashtable<>();
        topics.put(EventConstants.EVENT_TOPIC, MsiEvents.DEVICE_FAILED);
        context.registerService(EventHandler.class, event -> failed.complete(event.getTopic() + " "
                + event.getProperty(MsiEvents.DEVICE) + ": " + event.getProperty(MsiEvents.REASON)), topics);
        Hashtable<String, Object> command = new Hashtable<>();
        command.put("osgi.command.scope", "bad");
        command.put("osgi.command.function", new String[] { "alloc", "listener" });
        context.registerService(ThrowingProvider.class, this, command);
    }

    @Override
    public void stop(BundleContext context) {
    }

    /** Gogo's {@code bad:alloc DEVICE}. */
    public String alloc(String device) throws Exception {
        MsiDomain domain = context.getService(context.getServiceReference(MsiDomain.class));
        domain.awaitSettled(30_000); // this provider's binding, queued when the bundle started
        String refusal;
        try {
            domain.allocate(device, 1);
            refusal = "allocated";
        } catch (RuntimeException e) {
            refusal = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "refused: " + refusal + "\nevent: " + failed.get(60, TimeUnit.SECONDS);
    }

    /** Its storage is itself (one class, one file in the bundle). */
    /**
     * Gogo's {@code bad:listener}: a service listener that throws, called on the command's thread by the
     * registration made here; the framework logs the exception (Felix's logger prints to System.out).
     */
    public String listener() throws Exception {
        context.addServiceListener(event -> {
            throw new IllegalStateException("bug in a service listener");
        }, "(bad.listener=*)");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("bad.listener", "yes");
        context.registerService(Runnable.class, () -> { }, props);
        return "listener called";
    }

    @Override
    public MsiStorage createStorage(HwDevice device, StorageRequest request) {
        return this;
    }

    @Override
    public StorageInfo info() {
        return new StorageInfo("BAD", 8, EnumSet.of(StorageFlag.CAN_MASK));
    }

    @Override
    public void writeMsg(MsiDescView desc, MsiMsg msg) {
        throw new NullPointerException("bug in writeMsg");
    }

    @Override
    public void mask(MsiDescView desc) {
    }

    @Override
    public void unmask(MsiDescView desc) {
    }

    @Override
    public int maxVectors(HwDevice device) {
        return 8;
    }
}
