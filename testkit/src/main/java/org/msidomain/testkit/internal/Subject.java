package org.msidomain.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.msidomain.api.BindingState;
import org.msidomain.api.DeviceInfo;
import org.msidomain.api.MsiDomain;
import org.msidomain.spi.MsiStorageOps;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** What is under test: the storage type, the provider bundle serving it, the devices to exercise. */
public final class Subject {

    public static final String BUNDLES = "msi.conformance.bundles";
    public static final String MACHINE = "msi.conformance.machine";
    public static final String STORAGE = "msi.conformance.storage";
    public static final String DEVICES = "msi.conformance.devices";
    public static final String REPORT = "msi.conformance.report";
    /** Set by {@code Conformance.options()}: the symbolic names of the bundles under test. */
    public static final String SUBJECTS = "msi.conformance.subjects";

    public final String storage;
    public final Set<String> subjects;
    public final List<String> devices;
    public final String report;
    private final BundleContext context;
    /** The provider bundle now (a new object after an uninstall and install). */
    private volatile Bundle provider;

    Subject(BundleContext context, MsiDomain domain) {
        this.context = context;
        this.storage = context.getProperty(STORAGE);
        this.subjects = Arrays.stream(String.valueOf(context.getProperty(SUBJECTS)).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        String report = context.getProperty(REPORT);
        this.report = report == null || report.isBlank() ? "target/conformance.txt" : report;
        String listed = context.getProperty(DEVICES);
        if (listed != null && !listed.isBlank()) {
            this.devices = Arrays.stream(listed.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        } else {
            List<String> ids = new ArrayList<>();
            for (DeviceInfo d : domain.devices()) {
                if (storage.equals(d.storageType()) && d.state() != BindingState.WAITING && !ids.contains(d.id())) {
                    ids.add(d.id());
                }
            }
            this.devices = List.copyOf(ids);
        }
    }

    /** The bundle under test that registers an {@code MsiStorageOps} of the storage type, or null. */
    public Bundle provider() {
        Bundle b = provider;
        if (b != null && b.getState() != Bundle.UNINSTALLED) {
            return b;
        }
        for (Bundle candidate : context.getBundles()) {
            if (subjects.contains(candidate.getSymbolicName()) && serves(candidate)) {
                provider = candidate;
                return candidate;
            }
        }
        // stopped: no service to look at; the only bundle under test that is no device model
        for (Bundle candidate : context.getBundles()) {
            if (subjects.contains(candidate.getSymbolicName()) && candidate.getState() != Bundle.ACTIVE) {
                return candidate;
            }
        }
        return null;
    }

    /** After the kit installed the provider again. */
    void provider(Bundle b) {
        provider = b;
    }

    public String providerName() {
        Bundle b = provider();
        return b == null ? "(none)" : b.getSymbolicName();
    }

    private boolean serves(Bundle b) {
        ServiceReference<?>[] refs = b.getRegisteredServices();
        if (refs == null) {
            return false;
        }
        for (ServiceReference<?> ref : refs) {
            Object types = ref.getProperty(MsiStorageOps.STORAGE_TYPE);
            if (types instanceof String s && s.equals(storage)) {
                return true;
            }
            if (types instanceof String[] a && Arrays.asList(a).contains(storage)) {
                return true;
            }
        }
        return false;
    }

    /** The Bundle-SymbolicName of a jar (without directives), or null. */
    public static String symbolicName(File jar) {
        try (JarFile j = new JarFile(jar)) {
            if (j.getManifest() == null) {
                return null;
            }
            String bsn = j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].trim();
        } catch (IOException e) {
            throw new IllegalArgumentException(jar + " is no jar: " + e.getMessage(), e);
        }
    }
}
