package org.msidomain.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks the machine's inputs ({@code --dump}, {@code --sysfs}, {@code --machine}) before the framework
 * boots, with the machine bundle's own reader, so a refused input is one line and exit 2 rather than a
 * boot that logs and then fails. The bundle's classes are loaded in a throw-away class loader from the
 * embedded jars and met through a JDK type, as the jobs are: the launcher links none of them.
 */
final class MachineInputs {

    /** What the machine bundle's loader needs besides itself: the api and Jackson. */
    private static final List<String> JARS = List.of("bundles/hardware-model.jar", "bundles/api-bundle.jar",
            "bundles/jackson-core.jar", "bundles/jackson-databind.jar", "bundles/jackson-annotations.jar");
    private static final String CHECK = "org.msidomain.hw.internal.MachineCheck";

    private MachineInputs() {
    }

    /** The one-line reason the machine's inputs are refused, or null (also when there are none to check). */
    static String problem(Options options) {
        Map<String, String> props = options.frameworkProperties();
        if (!props.containsKey(Options.DUMPS) && !props.containsKey(Options.SYSFS) && !props.containsKey(Options.MACHINE)) {
            return null; // the embedded default machine
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("msi-check-");
            List<URL> urls = new ArrayList<>();
            for (String name : JARS) {
                Path jar = dir.resolve(name.substring(name.lastIndexOf('/') + 1));
                try (InputStream in = EmbeddedBundles.open(name)) {
                    Files.copy(in, jar);
                }
                urls.add(jar.toUri().toURL());
            }
            try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), Launcher.class.getClassLoader())) {
                @SuppressWarnings("unchecked")
                Function<Map<String, String>, String> check = (Function<Map<String, String>, String>) loader
                        .loadClass(CHECK).getConstructor().newInstance();
                return check.apply(props);
            }
        } catch (IOException | ReflectiveOperationException | LinkageError e) {
            return null; // the machine bundle checks again when it boots
        } finally {
            Launcher.delete(dir);
        }
    }
}
