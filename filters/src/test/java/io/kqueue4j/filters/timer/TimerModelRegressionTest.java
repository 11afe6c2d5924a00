package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deterministic regression tests for what {@link TimerModelTest} found.
 *
 * <ul>
 *   <li>{@code EV_FORCEONESHOT} on a periodic timer makes it one-time, as {@code filt_timerexpire}
 *       treats a knote that is {@code EV_ONESHOT} by then: the next expiry counts one and stops the
 *       timer, and the oneshot delivery reports the expirations up to the delivery, not those up to
 *       the change (the kernel reported 0 for an expiry between the change and the scan, and kept
 *       the timer periodic).
 *   <li>{@code EV_FORCEONESHOT} on a timer whose re-add failed keeps the errno in the event (the
 *       kernel delivered {@code EV_ERROR} with {@code data} 0, which reads as success).
 *   <li>{@code EV_ADD} on a timer whose expiry is queued takes the knote off the active queue, as
 *       {@code filt_timertouch} does, so the restarted timer's next expiry queues it behind the
 *       knotes activated meanwhile (the kernel delivered it in its old place), and a oneshot one is
 *       delivered by the same scan as they are (the kernel held it back to the next call).
 * </ul>
 */
class TimerModelRegressionTest {
  private static final long MS = 1_000_000L;

  private final ManualClock clock = new ManualClock();
  private final TimerService service = TimerService.driven(clock);
  private final TimerFilter filter = new TimerFilter(service, 1000);
  private KQueue kq;

  @BeforeEach
  void installDrivenTimerFilter() throws KQueueException {
    TimerModelRun.swapTimerFilter(filter);
    kq = KQueue.emulated();
  }

  @AfterEach
  void restoreSystemTimerFilter() {
    kq.close();
    TimerModelRun.swapTimerFilter(new TimerFilter());
  }

  private void change(int flags, long data) throws KQueueException {
    change(1, flags, data);
  }

  private void change(long ident, int flags, long data) throws KQueueException {
    kq.kevent(new KEvent[] {KEvent.of(ident, EVFILT_TIMER, flags, 0, data, null)}, null,
        Duration.ZERO);
  }

  private static KEvent timer(long ident, int flags, long data) {
    return KEvent.of(ident, EVFILT_TIMER, flags, 0, data, null);
  }

  private void advanceMillis(long millis) {
    clock.advanceNanos(millis * MS);
    service.expire();
  }

  private KEvent[] poll() throws KQueueException {
    KEvent[] out = new KEvent[4];
    return Arrays.copyOf(out, kq.kevent(null, out, Duration.ZERO));
  }

  @Test
  void an_expiry_after_the_force_is_counted_in_the_oneshot_event() throws KQueueException {
    change(EV_ADD, 10);
    change(EV_FORCEONESHOT, 0); // queued at once, with nothing expired yet
    advanceMillis(10);
    assertArrayEquals(new KEvent[] {KEvent.of(1, EVFILT_TIMER, EV_CLEAR | EV_ONESHOT, 0, 1, null)},
        poll());
    assertEquals(0, filter.timers());
  }

  @Test
  void a_timer_readded_with_force_oneshot_counts_its_next_expiry_and_stops() throws KQueueException {
    change(EV_ADD, 10);
    change(EV_ADD | EV_FORCEONESHOT, 10); // restarted, one-time, queued at once
    advanceMillis(25);
    assertEquals(0, service.size(), "expired once at 10 ms, not re-armed");
    assertArrayEquals(new KEvent[] {timer(1, EV_CLEAR | EV_ONESHOT, 1)}, poll());
    assertEquals(0, filter.timers());
  }

  @Test
  void a_forced_disabled_timer_expires_once_more_then_stops() throws KQueueException {
    change(EV_ADD | EV_DISABLE, 10);
    advanceMillis(30);
    change(EV_FORCEONESHOT, 0);
    assertEquals(1, service.size());
    advanceMillis(25); // one more expiry, at 40 ms; none at 50 ms
    assertEquals(0, service.size(), "a oneshot timer is not re-armed");
    change(EV_ENABLE, 0);
    assertArrayEquals(new KEvent[] {KEvent.of(1, EVFILT_TIMER, EV_CLEAR | EV_ONESHOT, 0, 4, null)},
        poll());
  }

  @Test
  void a_readded_timer_is_queued_again_behind_timers_that_expired_meanwhile()
      throws KQueueException {
    change(0, EV_ADD, 10);
    change(1, EV_ADD, 20);
    advanceMillis(10); // timer 0 expires and is queued
    change(0, EV_ADD, 15); // restarted: its queued expiry is discarded
    advanceMillis(10); // t=20: timer 1
    advanceMillis(5); // t=25: timer 0
    assertArrayEquals(new KEvent[] {timer(1, EV_CLEAR, 1), timer(0, EV_CLEAR, 1)}, poll());
  }

  @Test
  void a_readded_oneshot_that_expires_again_is_delivered_with_the_others() throws KQueueException {
    change(0, EV_ADD | EV_ONESHOT, 10);
    advanceMillis(10); // queued, not retrieved
    change(1, EV_ADD, 3);
    change(0, EV_ADD | EV_ONESHOT, 5);
    advanceMillis(3); // t=13: timer 1
    advanceMillis(2); // t=15: timer 0, once
    assertArrayEquals(
        new KEvent[] {timer(1, EV_CLEAR, 1), timer(0, EV_CLEAR | EV_ONESHOT, 1)}, poll());
    assertEquals(1, filter.timers(), "the oneshot timer was dropped on delivery");
  }

  @Test
  void forcing_a_failed_timer_oneshot_keeps_its_errno() throws KQueueException {
    change(EV_ADD, 10);
    change(EV_ADD, -1); // the change succeeds; the timer stops with EINVAL pending
    change(EV_FORCEONESHOT, 0);
    assertArrayEquals(
        new KEvent[] {timer(1, EV_CLEAR | EV_ONESHOT | EV_ERROR, Errno.EINVAL)}, poll());
    assertEquals(0, filter.timers());
  }
}
