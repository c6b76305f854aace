package org.msidomain.web.internal;

import java.io.IOException;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.msidomain.api.MsiDomain;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * {@code GET /msi/api/state}: the providers, the devices and the per-CPU interrupt counts and rates, as JSON
 * ({@link State}). The rates come from a {@link RateSampler} that lives as long as this component.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("msi-state")
@HttpWhiteboardServletPattern(StateServlet.PATH)
public final class StateServlet extends HttpServlet {

    static final String PATH = "/msi/api/state";
    private static final long serialVersionUID = 1L;

    private final transient MsiDomain domain;
    private final transient BundleContext context;
    private final transient ObjectWriter json = new ObjectMapper().writerFor(State.class);
    private final transient RateSampler rates;

    @Activate
    public StateServlet(@Reference(name = "domain") MsiDomain domain, BundleContext context) {
        this.domain = domain;
        this.context = context;
        this.rates = new RateSampler(domain);
    }

    @Deactivate
    void deactivate() {
        rates.close();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        State state = StateView.snapshot(domain, ProviderBundles.installed(context), rates.latest(),
                System::nanoTime);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        json.writeValue(response.getOutputStream(), state);
    }
}
