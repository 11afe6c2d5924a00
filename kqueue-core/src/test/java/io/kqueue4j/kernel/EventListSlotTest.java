package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kqueue4j.KEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The emulated kernel leaves an entry of a {@code KEvent[]} event list that already holds the event
 * to store, so that a loop collecting the same event again allocates nothing; any difference, the
 * {@code udata} object included, stores a new event.
 */
class EventListSlotTest {
  private static final KEvent[] NONE = new KEvent[0];

  @Test
  void anEqualEventLeavesTheSlotAndADifferentOneReplacesIt() throws Exception {
    String udata = "u";
    try (EmulatedKQueue kq = EmulatedKQueue.open()) {
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, udata)}, 1, NONE,
          0, Duration.ZERO);
      // a change without EV_KEEPUDATA sets udata: the trigger carries the same object
      KEvent[] trigger = {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, udata)};
      KEvent[] out = new KEvent[1];

      kq.kevent(trigger, 1, out, 1, Duration.ZERO);
      KEvent first = out[0];
      assertEquals(1, first.ident());
      assertSame(udata, first.udata());
      kq.kevent(trigger, 1, out, 1, Duration.ZERO);
      assertSame(first, out[0], "the same event again leaves the slot as it was");

      String other = new String("u"); // equal, but another object: the caller's udata is returned
      kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_USER, 0, NOTE_TRIGGER, 0, other)}, 1, out, 1,
          Duration.ZERO);
      assertNotSame(first, out[0]);
      assertSame(other, out[0].udata());
    }
  }
}
