package org.msidomain.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

class EventPosterTest {

    /** Records the topics posted; throws as Felix Event Admin does once it is stopped. */
    static final class RecordingAdmin implements EventAdmin {
        final List<String> posted = new ArrayList<>();
        boolean stopped;

        @Override
        public void postEvent(Event event) {
            if (stopped) {
                throw new IllegalStateException("The EventAdmin is stopped");
            }
            posted.add(event.getTopic());
        }

        @Override
        public void sendEvent(Event event) {
            throw new AssertionError("the domain only posts");
        }
    }

    @Test
    void nothingIsPostedOnceClosedEvenWithAnAdminBoundAfterwards() {
        EventPoster poster = new EventPoster();
        RecordingAdmin admin = new RecordingAdmin();
        poster.set(admin);
        poster.post("org/msidomain/provider/BOUND", Map.of());
        poster.close();
        poster.post("org/msidomain/provider/UNBOUND", Map.of());
        poster.set(admin); // SCR binding late: the deactivated domain still posts nothing
        poster.post("org/msidomain/provider/UNBOUND", Map.of());
        assertEquals(List.of("org/msidomain/provider/BOUND"), admin.posted);
    }

    @Test
    void aStoppedEventAdminDoesNotBreakTheBindingThatPosts() {
        EventPoster poster = new EventPoster();
        RecordingAdmin admin = new RecordingAdmin();
        poster.set(admin);
        admin.stopped = true;
        poster.post("org/msidomain/provider/BOUND", Map.of()); // before the fix: IllegalStateException
        RecordingAdmin next = new RecordingAdmin();
        poster.set(next);
        poster.post("org/msidomain/provider/UNBOUND", Map.of());
        assertTrue(admin.posted.isEmpty());
        assertEquals(List.of("org/msidomain/provider/UNBOUND"), next.posted);
    }
}
