package org.msidomain.web.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardResource;

/** The page's script and style sheet: this bundle's {@code web/static/} folder under {@code /msi/static/}. */
@Component(service = PageResources.class)
@HttpWhiteboardResource(pattern = "/msi/static/*", prefix = "/web/static")
public final class PageResources {
}
