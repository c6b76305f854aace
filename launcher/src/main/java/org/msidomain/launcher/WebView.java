package org.msidomain.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Where the web view is: Felix HTTP publishes the address it listens on (with the port it was given, or the one
 * the system chose for port 0) as the {@code osgi.http.endpoint} property of its {@code HttpServiceRuntime}
 * service. The launcher reads it by name (it links no bundle class) and waits until the page answers, so the
 * URL it prints is ready to open.
 */
final class WebView {

    static final String RUNTIME = "org.osgi.service.http.runtime.HttpServiceRuntime";
    static final String ENDPOINT = "osgi.http.endpoint";
    static final String PAGE = "/msi/";
    static final int DEFAULT_HTTP_PORT = 80;
    /** Jetty has started (or failed) when its bundle's start returned; this covers the whiteboard's registrations. */
    static final long TIMEOUT_MS = 30_000;

    private WebView() {
    }

    /** The page's URL once it answers 200, within the time, or an exception saying what was seen last. */
    static URI await(BundleContext context, long timeoutMillis) throws InterruptedException, InvalidSyntaxException {
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String last = "Felix HTTP registered no " + RUNTIME + " with " + ENDPOINT;
        while (System.nanoTime() < deadline) {
            URI page = page(context);
            if (page != null) {
                try {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return page;
                    }
                    last = "GET " + page + " answered " + r.statusCode(); // the whiteboard has not taken the page yet
                } catch (IOException e) {
                    last = "GET " + page + ": " + e.getMessage();
                }
            }
            Thread.sleep(50); // Jetty and the whiteboard start on their own threads
        }
        throw new IllegalStateException("the web view did not start within " + timeoutMillis / 1000 + " s: " + last);
    }

    /** The page on the loopback address and the port of the first HTTP endpoint, or null while there is none. */
    private static URI page(BundleContext context) throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getAllServiceReferences(RUNTIME, null);
        if (refs == null) {
            return null;
        }
        for (ServiceReference<?> ref : refs) {
            Object value = ref.getProperty(ENDPOINT);
            Object[] endpoints = value instanceof String s ? new Object[] { s }
                    : value instanceof String[] a ? a : value instanceof Collection<?> c ? c.toArray() : new Object[0];
            for (Object e : endpoints) {
                int port = httpPort(String.valueOf(e));
                if (port > 0) {
                    return URI.create("http://" + Options.LOOPBACK + ":" + port + PAGE);
                }
            }
        }
        return null;
    }

    /**
     * The port of an {@code http} endpoint, or -1 for another scheme. Felix HTTP leaves the default port out
     * ({@code http://127.0.0.1/} for port 80), as URLs do.
     */
    static int httpPort(String endpoint) {
        URI uri = URI.create(endpoint);
        if (!"http".equals(uri.getScheme())) {
            return -1;
        }
        return uri.getPort() > 0 ? uri.getPort() : DEFAULT_HTTP_PORT;
    }
}
