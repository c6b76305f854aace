package org.msidomain.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The bundle jars the launcher carries under {@code bundles/}, in its own jar or classes directory. */
final class EmbeddedBundles {

    private static final String FOLDER = "bundles/";

    private EmbeddedBundles() {
    }

    /** The resource names of the embedded bundles, sorted. */
    static List<String> names() throws IOException {
        Path self;
        try {
            self = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the launcher: " + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(self)) {
            try (Stream<Path> files = Files.list(self.resolve(FOLDER))) {
                files.filter(f -> f.toString().endsWith(".jar")).forEach(f -> names.add(FOLDER + f.getFileName()));
            }
        } else {
            try (JarFile jar = new JarFile(self.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith(FOLDER) && name.endsWith(".jar")) {
                        names.add(name);
                    }
                }
            }
        }
        names.sort(null);
        if (names.isEmpty()) {
            throw new IOException("no bundles embedded in " + self);
        }
        return names;
    }

    static InputStream open(String name) throws IOException {
        InputStream in = Launcher.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("embedded bundle " + name + " is missing");
        }
        return in;
    }
}
