package org.msidomain.core.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Every event the domain posts, for the tests (the domain posts from the binder thread). */
final class RecordedEvents implements EventAdmin {

    final List<Event> posted = new CopyOnWriteArrayList<>();

    @Override
    public void postEvent(Event event) {
        posted.add(event);
    }

    @Override
    public void sendEvent(Event event) {
        throw new AssertionError("the domain only posts");
    }

    List<Event> of(String topic) {
        return posted.stream().filter(e -> e.getTopic().equals(topic)).toList();
    }
}
