package org.msidomain.web.internal;

import java.io.IOException;
import java.io.InputStream;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The page itself at {@code /msi/} (and a redirect from {@code /msi}): a resource registration cannot serve a
 * folder's index, and Felix HTTP refuses a servlet pattern with a trailing slash, so this servlet takes
 * {@code /msi/*} and answers only the folder itself; longer patterns (the state endpoint, {@link PageResources})
 * take the rest.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("msi-page")
@HttpWhiteboardServletPattern("/msi/*")
public final class PageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final byte[] page;

    @Activate
    public PageServlet() throws IOException {
        try (InputStream in = PageServlet.class.getResourceAsStream("/web/index.html")) {
            if (in == null) {
                throw new IOException("web/index.html is missing from the bundle");
            }
            page = in.readAllBytes();
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null) {
            response.sendRedirect(request.getContextPath() + "/msi/"); // relative links in the page need the slash
            return;
        }
        if (!path.equals("/")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setContentLength(page.length);
        response.getOutputStream().write(page);
    }
}
