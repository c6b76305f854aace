package org.msidomain.app.internal;

import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Turns a bundle id or symbolic name into a {@link Bundle} for Gogo's framework commands ({@code stop 31},
 * {@code start org.msidomain.provider.pci}). Gogo's shell bundle registers such a converter, but the
 * launcher's {@code -c} runs without the shell: without this, {@code stop 31} there fails with
 * {@code Cannot coerce stop(Token)}. In the shell both converters give the same bundle.
 */
@Component(service = Converter.class)
public final class BundleConverter implements Converter {

    private final BundleContext context;

    @Activate
    public BundleConverter(BundleContext context) {
        this.context = context;
    }

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        if (desiredType != Bundle.class || in == null) {
            return null;
        }
        if (in instanceof Number n) {
            return context.getBundle(n.longValue());
        }
        String text = in.toString().trim();
        if (text.matches("\\d{1,18}")) {
            return context.getBundle(Long.parseLong(text));
        }
        for (Bundle b : context.getBundles()) {
            if (text.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null; // not a bundle: Gogo tries its other conversions
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        return null; // printing is left to Gogo and the shell
    }
}
