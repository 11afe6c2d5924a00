package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.conformance.KQueueTestSupport;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code EVFILT_TIMER} on real time, written against the public API only so that every backend
 * can run it: subclasses say which queue to open. Periods are short and assertions leave room for
 * a loaded machine; the exact arithmetic is pinned by {@link TimerFilterManualClockTest}.
 */
public abstract class TimerConformanceTest extends KQueueTestSupport {

  /** Waits {@code millis} on a timer of a queue of its own, so the queue under test is untouched. */
  protected void pause(long millis) throws KQueueException {
    try (KQueue clock = newQueue()) {
      clock.kevent(new KEvent[] {KEvent.of(0, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, millis, null)},
          null, Duration.ZERO);
      assertEquals(1, clock.kevent(null, new KEvent[1], Duration.ofSeconds(10)));
    }
  }

  @Test
  @DisplayName("test_kevent_timer_get")
  void testKeventTimerGet() throws KQueueException {
    Object udata = "udata";
    add(1, EVFILT_TIMER, EV_ADD, 0, 20, udata);
    KEvent event = get();
    assertEquals(1, event.ident());
    assertEquals(EVFILT_TIMER, event.filter());
    assertEquals(EV_CLEAR, event.flags());
    assertEquals(0, event.fflags());
    assertTrue(event.data() >= 1, "data " + event.data());
    assertEquals(udata, event.udata());
    add(1, EVFILT_TIMER, EV_DELETE, 0, 0, null);
  }

  @Test
  @DisplayName("test_oneshot")
  void testOneshot() throws KQueueException {
    long start = System.nanoTime();
    add(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 50, null);
    assertEquals(KEvent.of(2, EVFILT_TIMER, EV_CLEAR | EV_ONESHOT, 0, 1, null), get());
    assertTrue(System.nanoTime() - start >= 50_000_000L, "not before its time");
    assertEquals(0, kq.kevent(null, new KEvent[1], Duration.ofMillis(150)), "fires once");
  }

  @Test
  @DisplayName("test_periodic")
  void testPeriodic() throws KQueueException {
    add(3, EVFILT_TIMER, EV_ADD, 0, 10, null);
    for (int i = 0; i < 5; i++) {
      KEvent event = get();
      assertEquals(EV_CLEAR, event.flags());
      assertTrue(event.data() >= 1);
    }
  }

  @Test
  void lateReaderSeesTheCount() throws KQueueException {
    long start = System.nanoTime();
    add(3, EVFILT_TIMER, EV_ADD, NOTE_USECONDS, 10_000, null);
    pause(100);
    KEvent[] events = poll();
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, events.length, "one event carrying the count");
    long data = events[0].data();
    assertTrue(data >= 9 && data <= elapsedMs / 10, "data " + data + " after " + elapsedMs + " ms");
  }

  @Test
  @DisplayName("test_abstime")
  void testAbstime() throws KQueueException {
    long deadline = System.currentTimeMillis() + 100;
    add(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS | NOTE_ABSTIME, deadline, null);
    assertEquals(KEvent.of(4, EVFILT_TIMER, EV_ONESHOT, 0, 1, null), get());
    assertTrue(System.currentTimeMillis() >= deadline - 1, "not before the deadline");
  }

  /**
   * Re-adding a timer replaces its period: the timer, moved from 60 s to 30 ms, fires before a
   * witness timer of 5 s added just before the update, which would come first had the old period
   * stayed. Checked by the order of the two events, not by a measured time.
   */
  @Test
  @DisplayName("test_update")
  void testUpdate() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 60_000, null);
    add(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 5_000, null);
    long start = System.nanoTime();
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 30, null);
    KEvent[] first = new KEvent[1];
    assertEquals(1, kq.kevent(null, first, null));
    assertEquals(KEvent.of(1, EVFILT_TIMER, EV_CLEAR | EV_ONESHOT, 0, 1, null), first[0],
        "the updated timer fires first, on its new period");
    assertTrue(System.nanoTime() - start >= 30_000_000L, "not before its new time");
    add(2, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    assertNoEvents();
  }
}
