package org.msidomain.core.internal;

import java.util.Map;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * Posts the domain's events through Event Admin when one is there; the domain works without. Posting and
 * {@link #close()} exclude each other, so once the domain is deactivated no post is under way or to come
 * (its binder may still be finishing a task): Event Admin, stopped after it, finds nothing more queued.
 */
final class EventPoster {

    private EventAdmin eventAdmin; // guarded by this
    private boolean closed; // guarded by this

    synchronized void set(EventAdmin admin) {
        if (!closed) {
            eventAdmin = admin;
        }
    }

    /** Forgets an Event Admin if it is the one that leaves (a replacement may be set already). */
    synchronized void unset(EventAdmin admin) {
        if (eventAdmin == admin) {
            eventAdmin = null;
        }
    }

    /** Posts nothing from now on; returns once a post under way (an enqueue, microseconds) is done. */
    synchronized void close() {
        closed = true;
        eventAdmin = null;
    }

    /** Queues the event (Event Admin delivers it on its own threads); binding changes only, never the hot path. */
    synchronized void post(String topic, Map<String, ?> properties) {
        if (eventAdmin != null) {
            try {
                eventAdmin.postEvent(new Event(topic, properties));
            } catch (IllegalStateException stopping) {
                eventAdmin = null; // Event Admin stopped before unbinding from us: the event has no one to go to
            }
        }
    }
}
