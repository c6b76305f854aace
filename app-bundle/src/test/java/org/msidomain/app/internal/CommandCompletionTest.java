package org.msidomain.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiMsg;
import org.msidomain.api.ProviderInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

class CommandCompletionTest {

    /** A machine of 4 CPUs: 00:04.0 (pci, irqs 24 and 25 at indexes 0 and 1), ims0 (platform), one provider. */
    private final MsiDomain domain = (MsiDomain) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { MsiDomain.class }, (proxy, method, args) -> switch (method.getName()) {
                case "devices" -> List.of(
                        new DeviceInfo("00:04.0", "pci", BindingState.BOUND, "org.msidomain.provider.pci", 2, ""),
                        new DeviceInfo("ims0", "platform", BindingState.BOUND, "org.msidomain.provider.platform", 0, ""));
                case "irqs" -> List.of(irq(24, 0), irq(25, 1));
                case "storageOf" -> "pci";
                case "cpuCount" -> 4;
                case "providers" -> List.of(new ProviderInfo(33, "org.msidomain.provider.pci", "0.1.0", List.of("pci"),
                        "active", 6, 2));
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { BundleContext.class }, (proxy, method, args) -> method.getName().equals("getBundles")
                    ? new Bundle[0] : null);
    private final CommandCompletion completion = new CommandCompletion(domain, context);

    private static IrqInfo irq(int irq, int index) {
        return new IrqInfo(irq, "00:04.0", index, "PCI-MSIX-0000:00:04.0", index, 0x20, new MsiMsg(0, 0, 0), false, false,
                List.of(0L, 0L, 0L, 0L), "00:04.0-" + index);
    }

    private List<String> values(String line, String partial) {
        return completion.next(List.of(line.split(" ")), partial).stream().map(CommandCompletion.Choice::value).toList();
    }

    @Test
    void argumentsByPosition() {
        assertEquals(List.of("00:04.0", "ims0"), values("msi:alloc", ""));
        assertEquals(List.of(), values("msi:alloc 00:04.0", ""), "a count: nothing to offer");
        assertEquals(List.of("msi", "msix"), values("msi:alloc 00:04.0 2", ""));
        assertEquals(List.of(), values("msi:alloc ims0 2", ""), "variants only for PCI");
        assertEquals(List.of("24", "25", "00:04.0/0", "00:04.0/1"), values("msi:affinity", ""));
        assertEquals(List.of("0", "1", "2", "3"), values("msi:affinity 00:04.0/1", ""));
        assertEquals(List.of("0", "1"), values("fire 00:04.0", ""), "the scope may be left out");
        assertEquals(List.of("24", "25", "00:04.0/0", "00:04.0/1"), values("msi:mask", ""));
        assertEquals(List.of(), values("msi:devices", ""));
    }

    @Test
    void awaitKindsNamesAndStates() {
        assertEquals(List.of("device", "provider", "bundle"), values("msi:await", ""));
        assertEquals(List.of("00:04.0", "ims0"), values("msi:await device", ""));
        assertEquals(List.of("org.msidomain.provider.pci"), values("msi:await provider", ""));
        assertEquals(List.of("BOUND", "UNBOUND", "FAILED", "WAITING"), values("msi:await device 00:04.0", ""));
        assertEquals(List.of("bound", "unbound"), values("msi:await provider org.msidomain.provider.pci", ""));
        assertEquals(List.of("installed", "resolved", "active", "uninstalled"), values("msi:await bundle x", ""));
        assertEquals(List.of(), values("msi:await bundle x active", ""), "a timeout: nothing to offer");
    }

    @Test
    void optionsAndTheirValues() {
        assertEquals(List.of("-d", "-n", "--delay", "--iterations").stream().sorted().toList(), values("msi:top", "-"));
        assertEquals(List.of("00:04.0"), values("msi:lspci -s", ""), "PCI slots only");
        assertEquals(List.of("00:04.0", "ims0"), values("msi:write --from", ""));
        assertEquals(List.of(), values("msi:write --from ims0", ""), "an address: nothing to offer");
        assertEquals(List.of(), values("msi:top -d", ""), "seconds: nothing to offer");
    }

    @Test
    void providerBundlesForTheFrameworkCommandsAndNothingForOthers() {
        assertEquals(List.of("33"), values("stop", ""));
        assertEquals(List.of("33"), values("felix:update", ""));
        assertNull(completion.next(List.of("lb"), ""), "the shell's own completion");
        assertNull(completion.next(List.of("echo"), ""));
    }
}
