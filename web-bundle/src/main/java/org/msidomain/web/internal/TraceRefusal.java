package org.msidomain.web.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.Preprocessor;

/**
 * Refuses {@code TRACE} (and IIS's {@code TRACK}) on every path of the HTTP runtime with 405: a servlet's
 * default {@code doTrace} echoes the request with its headers, cookies included (cross-site tracing), and
 * Jetty does not refuse it by itself. As a whiteboard preprocessor it runs before any servlet is chosen, so
 * unknown paths and resources are covered too; {@code OPTIONS} answers no longer list the method.
 */
@Component(service = Preprocessor.class)
public final class TraceRefusal implements Preprocessor {

    static final Set<String> REFUSED = Set.of("TRACE", "TRACK");
    static final String ALLOWED = "GET, HEAD, OPTIONS";

    @Override
    public void init(FilterConfig config) {
        // nothing to set up
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer) {
            if (REFUSED.contains(http.getMethod())) {
                answer.setHeader("Allow", ALLOWED);
                answer.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
                return;
            }
            if ("OPTIONS".equals(http.getMethod())) {
                chain.doFilter(request, new AllowWithoutTrace(answer));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    @Override
    public void destroy() {
        // nothing held
    }

    /** {@code HttpServlet.doOptions} always lists TRACE; this answer leaves it out. */
    private static final class AllowWithoutTrace extends HttpServletResponseWrapper {

        AllowWithoutTrace(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setHeader(String name, String value) {
            super.setHeader(name, "Allow".equalsIgnoreCase(name) ? withoutRefused(value) : value);
        }

        @Override
        public void addHeader(String name, String value) {
            super.addHeader(name, "Allow".equalsIgnoreCase(name) ? withoutRefused(value) : value);
        }
    }

    static String withoutRefused(String allow) {
        return allow == null ? null : Arrays.stream(allow.split(",")).map(String::trim)
                .filter(m -> !m.isEmpty() && !REFUSED.contains(m)).collect(Collectors.joining(", "));
    }
}
