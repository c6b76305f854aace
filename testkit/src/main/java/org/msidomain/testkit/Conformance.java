package org.msidomain.testkit;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.msidomain.testkit.internal.Subject;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.FrameworkPropertyOption;
import org.ops4j.pax.exam.options.SystemPropertyOption;

/**
 * The Pax Exam options of a conformance run: the platform (embedded in this jar), the kit's own bundle and the
 * bundles under test, configured from the system properties {@code msi.conformance.bundles}, {@code .machine},
 * {@code .storage}, {@code .devices} and {@code .report}. Called on the test driver's side, before the
 * framework starts.
 */
public final class Conformance {

    /** Where the embedded platform bundles are in this jar. */
    private static final String PLATFORM = "msi-testkit/platform/";
    /** The symbolic name of the built-in provider of a storage type is this and the type. */
    private static final String BUILT_IN_PROVIDER = "org.msidomain.provider.";

    private Conformance() {
    }

    /** The platform and the subject, from the system properties. */
    public static Option[] options() {
        return options(new Option[0]);
    }

    /** The same plus {@code extra} options (a deploy folder, more bundles, framework properties...). */
    public static Option[] options(Option... extra) {
        return options(Map.of(), extra);
    }

    /**
     * The same with {@code msi.conformance.*} properties given here, before the system properties: for a
     * module that runs the kit on several providers, one test class each.
     */
    public static Option[] options(Map<String, String> properties, Option... extra) {
        return options(properties, true, extra);
    }

    /**
     * The platform with a deploy folder instead of the bundles under test: Apache Felix FileInstall watches
     * {@code folder} (polled every 100 ms, new bundles started, configurations never written back), and the
     * bundles under test are left out, for the test to drop them in (their jars: {@link #bundlesUnderTest()}).
     * Framework property {@value #DEPLOY} names the folder inside the framework.
     *
     * @since 1.0
     */
    public static Option[] deployFolder(File folder, Option... extra) {
        List<Option> options = new ArrayList<>(List.of(
                frameworkProperty("felix.fileinstall.dir").value(folder.getAbsolutePath()),
                frameworkProperty("felix.fileinstall.poll").value("100"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.bundles.new.start").value("true"),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"),
                frameworkProperty(DEPLOY).value(folder.getAbsolutePath())));
        options.addAll(List.of(extra));
        return options(Map.of(), false, options.toArray(new Option[0]));
    }

    /** The framework property that names the deploy folder of {@link #deployFolder}. */
    public static final String DEPLOY = "msi.conformance.deploy";

    /**
     * The jars under test that {@code msi.conformance.bundles} names (files, or every jar of a directory), by
     * symbolic name, in the order named. Readable on both sides: the native container shares system properties.
     *
     * @since 1.0
     */
    public static Map<String, File> bundlesUnderTest() {
        return bundlesUnderTest(required(Subject.BUNDLES, System::getProperty));
    }

    private static Option[] options(Map<String, String> properties, boolean installSubjects, Option... extra) {
        java.util.function.Function<String, String> get = k -> properties.getOrDefault(k, System.getProperty(k));
        String storage = required(Subject.STORAGE, get);
        File machine = new File(required(Subject.MACHINE, get)).getAbsoluteFile();
        if (!machine.isFile()) {
            throw new IllegalArgumentException(Subject.MACHINE + ": no machine description " + machine);
        }
        Map<String, File> subjects = bundlesUnderTest(required(Subject.BUNDLES, get));
        String workDir = get.apply("msi.conformance.work");
        Path work = Path.of(workDir == null ? "target/msi-testkit" : workDir).toAbsolutePath();
        List<Option> options = new ArrayList<>();
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(frameworkProperty("msi.machine.file").value(machine.getPath()));
        options.add(frameworkProperty(Subject.STORAGE).value(storage));
        options.add(frameworkProperty(Subject.SUBJECTS).value(String.join(",", subjects.keySet())));
        options.add(frameworkProperty(Subject.DEVICES).value(java.util.Objects.toString(get.apply(Subject.DEVICES), "")));
        options.add(frameworkProperty(Subject.REPORT).value(new File(get.apply(Subject.REPORT) == null
                ? "target/conformance.txt" : get.apply(Subject.REPORT)).getAbsolutePath()));
        options.add(junitBundles());
        boolean deployFolder = Arrays.stream(extra).anyMatch(Conformance::namesFileInstallDir)
                || System.getProperty("felix.fileinstall.dir") != null;
        for (File jar : extractPlatform(work.resolve("platform"))) {
            String bsn = Subject.symbolicName(jar);
            if (subjects.containsKey(bsn) || (BUILT_IN_PROVIDER + storage).equals(bsn)) {
                continue; // the bundle under test replaces the platform's own, and serves its type alone
            }
            if ("org.apache.felix.fileinstall".equals(bsn) && !deployFolder) {
                continue; // only where a test asks for a deploy folder (installed unstarted, Pax Exam reports it)
            }
            options.add(bundle(jar.toURI().toString()));
        }
        options.add(bundle(kitBundle().toURI().toString()));
        for (File jar : installSubjects ? subjects.values() : List.<File>of()) {
            options.add(bundle(jar.toURI().toString()));
        }
        options.addAll(List.of(extra));
        return options.toArray(new Option[0]);
    }

    private static boolean namesFileInstallDir(Option o) {
        return (o instanceof FrameworkPropertyOption f && "felix.fileinstall.dir".equals(f.getKey()))
                || (o instanceof SystemPropertyOption s && "felix.fileinstall.dir".equals(s.getKey()));
    }

    private static String required(String property, java.util.function.Function<String, String> get) {
        String value = get.apply(property);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("system property " + property + " is not set (see the kit's README)");
        }
        return value.trim();
    }

    /** The jars named by the property (files, or every jar of a directory), by symbolic name. */
    private static Map<String, File> bundlesUnderTest(String list) {
        Map<String, File> jars = new LinkedHashMap<>();
        for (String entry : list.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            File f = new File(entry.trim()).getAbsoluteFile();
            File[] files = f.isDirectory() ? f.listFiles((d, n) -> n.endsWith(".jar")) : new File[] { f };
            if (files == null || (!f.isDirectory() && !f.isFile())) {
                throw new IllegalArgumentException(Subject.BUNDLES + ": no jar or directory " + f);
            }
            Arrays.sort(files);
            for (File jar : files) {
                String bsn = Subject.symbolicName(jar);
                if (bsn == null) {
                    throw new IllegalArgumentException(Subject.BUNDLES + ": " + jar + " is no bundle (no Bundle-SymbolicName)");
                }
                jars.put(bsn, jar);
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalArgumentException(Subject.BUNDLES + ": no bundle in '" + list + "'");
        }
        return jars;
    }

    /** This kit's own jar (a bundle), from where its classes were loaded. */
    private static File kitBundle() {
        File source = codeSource();
        if (source.isFile()) {
            return source;
        }
        // the kit's own build runs from target/classes: its jar is beside it
        File[] jars = source.getParentFile().listFiles((d, n) -> n.startsWith("msi-testkit") && n.endsWith(".jar")
                && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar"));
        if (jars == null || jars.length != 1) {
            throw new IllegalStateException("the conformance kit runs from " + source + " and no single msi-testkit jar is beside it");
        }
        return jars[0];
    }

    private static File codeSource() {
        try {
            return new File(Conformance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the embedded platform bundles to {@code dir}; returns them in name order. */
    private static List<File> extractPlatform(Path dir) {
        try {
            Files.createDirectories(dir);
            List<File> out = new ArrayList<>();
            File source = codeSource();
            if (source.isFile()) {
                try (JarFile jar = new JarFile(source)) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                        JarEntry entry = e.nextElement();
                        if (entry.getName().startsWith(PLATFORM) && entry.getName().endsWith(".jar")) {
                            Path target = dir.resolve(entry.getName().substring(PLATFORM.length()));
                            try (InputStream in = jar.getInputStream(entry)) {
                                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                            }
                            out.add(target.toFile());
                        }
                    }
                }
            } else {
                File[] jars = new File(source, PLATFORM).listFiles((d, n) -> n.endsWith(".jar"));
                for (File jar : jars == null ? new File[0] : jars) {
                    Path target = dir.resolve(jar.getName());
                    Files.copy(jar.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
                    out.add(target.toFile());
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("the conformance kit at " + source + " embeds no platform bundles");
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the platform bundles to " + dir + ": " + e, e);
        }
    }
}
