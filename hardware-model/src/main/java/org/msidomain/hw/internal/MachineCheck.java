package org.msidomain.hw.internal;

import java.util.Map;
import java.util.function.Function;

/**
 * The launcher's check of the machine's inputs before it boots anything: the framework properties it would
 * pass ({@link MachineLoader#FILE}, {@link MachineLoader#DUMPS}, {@link MachineLoader#SYSFS},
 * {@link MachineLoader#CPUS}) give the one-line reason the description is refused, or null. Only JDK types
 * cross, since the launcher loads this class from the embedded bundle jar without linking it. Dumps left
 * out with a warning pass: the machine reports them when it boots.
 */
public final class MachineCheck implements Function<Map<String, String>, String> {

    @Override
    public String apply(Map<String, String> properties) {
        try {
            MachineLoader.load(properties::get);
            return null;
        } catch (IllegalArgumentException refused) {
            return refused.getMessage();
        }
    }
}
