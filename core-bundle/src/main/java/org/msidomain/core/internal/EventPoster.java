package org.msidomain.core.internal;

import java.util.Map;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Posts the domain's events through Event Admin when one is there; the domain works without. */
final class EventPoster {

    private volatile EventAdmin eventAdmin;

    void set(EventAdmin admin) {
        eventAdmin = admin;
    }

    /** Forgets an Event Admin if it is the one that leaves (a replacement may be set already). */
    void unset(EventAdmin admin) {
        if (eventAdmin == admin) {
            eventAdmin = null;
        }
    }

    void post(String topic, Map<String, ?> properties) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(topic, properties));
        }
    }
}
