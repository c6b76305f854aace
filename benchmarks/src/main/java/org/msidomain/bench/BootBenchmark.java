package org.msidomain.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole process: {@code java -jar msi-launcher.jar -c msi:devices} starts a JVM, boots Felix with
 * every bundle on the default machine, waits until the platform is ready, runs the command and stops the
 * framework. It is also what a framework restart costs, next to {@link HotSwapBenchmark}. The jar is
 * taken from {@code -Dmsi.launcher.jar} (default {@code launcher/target/msi-launcher.jar}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class BootBenchmark {

    @Benchmark
    public int launcherBootCommandStop() throws Exception {
        String jar = System.getProperty("msi.launcher.jar", "launcher/target/msi-launcher.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException(jar + ": build the launcher first (mvn -B -q install -DskipTests)");
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "-c", "msi:devices").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the launcher did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the launcher exited with " + p.exitValue());
        }
        return p.exitValue();
    }
}
