package org.msidomain.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.IrqInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.api.MsiMsg;
import org.msidomain.api.ProviderInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class StateViewTest {

    private static final ProviderInfo PCI = new ProviderInfo(5, "org.msidomain.provider.pci", "0.1.0", List.of("pci"),
            "active", 1, 2);

    /** A domain answering only the queries the view makes. */
    private static MsiDomain domain(Map<String, Object> answers) {
        return (MsiDomain) Proxy.newProxyInstance(MsiDomain.class.getClassLoader(), new Class<?>[] { MsiDomain.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("spurious")) {
                        return 10L + (int) args[0];
                    }
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return answers.get(method.getName());
                });
    }

    @Test
    void boundProvidersKeepTheirRowAndStoppedProviderBundlesAreListedAsNotBound() {
        List<State.Provider> rows = StateView.providers(List.of(PCI), List.of(
                new ProviderBundle(6, "org.msidomain.provider.hpet", "0.1.0", "resolved"),
                new ProviderBundle(5, "org.msidomain.provider.pci", "0.1.0", "active"),
                new ProviderBundle(4, "org.msidomain.provider.dmar", "0.1.0", "active")));
        assertEquals(List.of(
                new State.Provider(4, "org.msidomain.provider.dmar", "0.1.0", List.of(), "not bound (bundle active)", false, 0, 0),
                new State.Provider(5, "org.msidomain.provider.pci", "0.1.0", List.of("pci"), "active", true, 1, 2),
                new State.Provider(6, "org.msidomain.provider.hpet", "0.1.0", List.of(), "not bound (bundle resolved)", false, 0, 0)),
                rows);
    }

    @Test
    void theJsonDocumentCarriesEveryIrqsPerCpuCountsAndTheServerClock() throws Exception {
        MsiDomain domain = domain(Map.of(
                "irqs", List.of(new IrqInfo(24, "00:04.0", 1, "PCI-MSIX-0000:00:04.0", 1, 0x41, new MsiMsg(0xfee01000, 0, 0x41),
                        false, false, List.of(3L, 7L), "00:04.0-1")),
                "devices", List.of(new DeviceInfo("00:04.0", "pci", BindingState.BOUND, "org.msidomain.provider.pci", 2, ""),
                        new DeviceInfo("hpet", "hpet", BindingState.UNBOUND, "", 0, "no provider")),
                "providers", List.of(PCI),
                "cpuCount", 2, "affinityMask", new java.util.TreeSet<>(List.of(1, 0))));
        RateSampler.Window window = new RateSampler.Window(500.0, Map.of(24, List.of(6.0, 14.0)));
        State state = StateView.snapshot(domain, List.of(), window, () -> 1_500_000L);
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(state));
        assertEquals(1.5, json.get("time").asDouble());
        assertEquals(500.0, json.get("rateWindow").asDouble());
        assertEquals(2, json.get("cpus").asInt());
        assertEquals("[10,11]", json.get("spurious").toString());
        assertEquals("{\"irq\":24,\"device\":\"00:04.0\",\"index\":1,\"chip\":\"PCI-MSIX-0000:00:04.0\",\"cpu\":1,\"vector\":65,"
                + "\"masked\":false,\"action\":\"00:04.0-1\",\"counts\":[3,7],\"rates\":[6.0,14.0],\"affinity\":[0,1]}", json.get("irqs").get(0).toString());
        assertEquals("{\"id\":\"hpet\",\"type\":\"hpet\",\"state\":\"UNBOUND\",\"provider\":\"\",\"vectors\":0,"
                + "\"reason\":\"no provider\"}", json.get("devices").get(1).toString());
        assertEquals("{\"bundleId\":5,\"symbolicName\":\"org.msidomain.provider.pci\",\"version\":\"0.1.0\",\"types\":[\"pci\"],"
                + "\"state\":\"active\",\"bound\":true,\"devices\":1,\"vectors\":2}", json.get("providers").get(0).toString());
    }
}
