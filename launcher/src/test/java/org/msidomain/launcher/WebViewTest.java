package org.msidomain.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WebViewTest {

    @Test
    void anEndpointWithoutAPortIsOnTheDefaultPort() {
        // Felix HTTP writes "http://" + host + (port == 80 ? "" : ":" + port) + context path
        assertEquals(80, WebView.httpPort("http://127.0.0.1/"));
        assertEquals(8080, WebView.httpPort("http://127.0.0.1:8080/"));
        assertEquals(-1, WebView.httpPort("https://127.0.0.1/"));
    }
}
