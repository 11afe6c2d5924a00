package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.conformance.KQueueTestSupport;
import io.kqueue4j.kernel.Filters;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * FreeBSD's {@code tests/sys/kqueue/libkqueue/timer.c} and the finer points of {@code
 * filt_timer*}, on a manual clock: the test installs an {@code EVFILT_TIMER} filter on a {@link
 * TimerService#driven driven} service ({@code kqueue_add_filteropts}) and moves time itself, so
 * every expiry happens exactly when the test says.
 */
class TimerFilterManualClockTest extends KQueueTestSupport {
  private static final long MS = 1_000_000L;

  private final ManualClock clock = new ManualClock();
  private final TimerService service = TimerService.driven(clock);
  private final TimerFilter filter = new TimerFilter(service, 1000);

  @Override
  protected KQueue newQueue() throws KQueueException {
    return KQueue.emulated();
  }

  @BeforeEach
  void installDrivenTimerFilter() throws KQueueException {
    Filters.remove(EVFILT_TIMER);
    Filters.add(EVFILT_TIMER, filter);
  }

  @AfterEach
  void restoreSystemTimerFilter() throws KQueueException {
    kq.close();
    Filters.remove(EVFILT_TIMER);
    Filters.add(EVFILT_TIMER, new TimerFilter());
  }

  private void advanceMillis(long millis) {
    clock.advance(Duration.ofMillis(millis));
    service.expire();
  }

  private static KEvent timer(long ident, int flags, long data) {
    return KEvent.of(ident, EVFILT_TIMER, flags, 0, data, null);
  }

  private KEvent onlyEvent() throws KQueueException {
    KEvent[] events = poll();
    assertEquals(1, events.length, () -> "events " + java.util.Arrays.toString(events));
    return events[0];
  }

  @Test
  @DisplayName("test_kevent_timer_add")
  void testKeventTimerAdd() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 1000, null);
    assertEquals(1, filter.timers());
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_timer_del")
  void testKeventTimerDel() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 1000, null);
    add(1, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    assertEquals(0, filter.timers());
    assertEquals(0, service.size());
    advanceMillis(5000);
    assertNoEvents();
  }

  @Test
  @DisplayName("test_kevent_timer_get")
  void testKeventTimerGet() throws KQueueException {
    Object udata = new Object();
    add(1, EVFILT_TIMER, EV_ADD, 0, 1000, udata);
    advanceMillis(999);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(KEvent.of(1, EVFILT_TIMER, EV_CLEAR, 0, 1, udata), onlyEvent());
    assertNoEvents();
  }

  @Test
  @DisplayName("test_oneshot")
  void testOneshot() throws KQueueException {
    add(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 500, null);
    advanceMillis(500);
    assertEquals(timer(2, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
    advanceMillis(3000);
    assertNoEvents();
    KEvent gone = change(2, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    assertEquals(Errno.ENOENT, gone.data(), "the oneshot knote was dropped on delivery");
    assertEquals(0, filter.timers());
  }

  @Test
  @DisplayName("test_periodic")
  void testPeriodic() throws KQueueException {
    add(3, EVFILT_TIMER, EV_ADD, 0, 1000, null);
    advanceMillis(1000);
    assertEquals(timer(3, EV_CLEAR, 1), onlyEvent());
    advanceMillis(1000);
    assertEquals(timer(3, EV_CLEAR, 1), onlyEvent());
    add(3, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    advanceMillis(1000);
    assertNoEvents();
  }

  @Test
  void lateReaderSeesTheNumberOfExpirationsNotSeveralEvents() throws KQueueException {
    add(3, EVFILT_TIMER, EV_ADD, 0, 10, null);
    advanceMillis(10);
    advanceMillis(10);
    advanceMillis(10);
    assertEquals(timer(3, EV_CLEAR, 3), onlyEvent());
    advanceMillis(45); // a service that fell behind reports every elapsed period at once
    assertEquals(timer(3, EV_CLEAR, 4), onlyEvent());
  }

  @Test
  void periodicTimerReArmsAtAbsoluteDeadlines() throws KQueueException {
    add(3, EVFILT_TIMER, EV_ADD, 0, 10, null);
    advanceMillis(15);
    assertEquals(1, onlyEvent().data());
    advanceMillis(5); // t=20: next deadline is 20, not 15 + 10
    assertEquals(1, onlyEvent().data());
  }

  @Test
  void zeroPeriodBecomesOneUnlessOneshot() throws KQueueException {
    add(4, EVFILT_TIMER, EV_ADD, 0, 0, null);
    advanceMillis(1);
    assertEquals(timer(4, EV_CLEAR, 1), onlyEvent());
    advanceMillis(5);
    assertEquals(timer(4, EV_CLEAR, 5), onlyEvent());

    add(5, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 0, null);
    service.expire(); // no time has passed: a zero oneshot is due at once
    assertEquals(timer(5, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
  }

  @Test
  void negativeDataIsEinval() throws KQueueException {
    KEvent error = change(1, EVFILT_TIMER, EV_ADD, 0, -1, null);
    assertEquals(EV_ERROR, error.flags());
    assertEquals(Errno.EINVAL, error.data());
    KQueueException thrown =
        assertThrows(KQueueException.class, () -> add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, -5, null));
    assertEquals(Errno.EINVAL, thrown.errno());
    assertTrue(thrown.getMessage().contains("negative data -5"), thrown.getMessage());
    assertEquals(0, filter.timers());
  }

  @Test
  void unknownFflagsAndSeveralUnitsAreEinval() throws KQueueException {
    assertEquals(Errno.EINVAL, change(1, EVFILT_TIMER, EV_ADD, 0x20, 10, null).data());
    assertEquals(Errno.EINVAL,
        change(1, EVFILT_TIMER, EV_ADD, NOTE_SECONDS | NOTE_MSECONDS, 10, null).data());
    assertEquals(Errno.EINVAL,
        change(1, EVFILT_TIMER, EV_ADD, NOTE_USECONDS | NOTE_NSECONDS, 10, null).data());
    assertEquals(0, filter.timers());
  }

  @Test
  void unitsScaleThePeriod() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_SECONDS, 2, null);
    add(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS, 1500, null);
    add(3, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS, 1_000_500, null);
    add(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_NSECONDS, 1_000_000_001L, null);
    add(5, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 1200, null);
    clock.advanceNanos(1000 * MS);
    service.expire();
    assertNoEvents();
    clock.advanceNanos(1);
    service.expire();
    assertEquals(4, onlyEvent().ident());
    clock.advanceNanos(500 * 1000 - 1);
    service.expire();
    assertEquals(3, onlyEvent().ident());
    advanceMillis(200);
    assertEquals(5, onlyEvent().ident());
    advanceMillis(300);
    assertEquals(2, onlyEvent().ident());
    advanceMillis(499);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(1, onlyEvent().ident());
  }

  @Test
  @DisplayName("test_abstime")
  void testAbstime() throws KQueueException {
    long now = clock.wallClockNanos() / 1_000_000_000L;
    add(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_SECONDS | NOTE_ABSTIME, now + 3, null);
    advanceMillis(2999);
    assertNoEvents();
    advanceMillis(1);
    // NOTE_ABSTIME does not set EV_CLEAR
    assertEquals(KEvent.of(4, EVFILT_TIMER, EV_ONESHOT, 0, 1, null), onlyEvent());
  }

  @Test
  void absoluteTimerWithoutOneshotFiresOnceAndStaysActive() throws KQueueException {
    long deadline = clock.wallClockNanos() + 10 * MS;
    add(4, EVFILT_TIMER, EV_ADD, NOTE_NSECONDS | NOTE_ABSTIME, deadline, null);
    advanceMillis(10);
    KEvent expected = KEvent.of(4, EVFILT_TIMER, 0, 0, 1, null);
    assertEquals(expected, onlyEvent());
    assertEquals(expected, onlyEvent(), "without EV_CLEAR the event stays (level-triggered)");
    advanceMillis(100);
    assertEquals(expected, onlyEvent(), "an absolute timer does not repeat");
  }

  @Test
  void absoluteDeadlineInThePastFiresAtOnce() throws KQueueException {
    long past = clock.wallClockNanos() / 1_000_000L - 60_000;
    add(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS | NOTE_ABSTIME, past, null);
    service.expire();
    assertEquals(KEvent.of(4, EVFILT_TIMER, EV_ONESHOT, 0, 1, null), onlyEvent());
  }

  @Test
  void absoluteDeadlineIsFixedAtRegistrationAgainstWallClockSteps() throws KQueueException {
    long deadline = clock.wallClockNanos() / 1000 + 1_000_000; // in 1 s, in microseconds
    add(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS | NOTE_ABSTIME, deadline, null);
    clock.stepWallClock(Duration.ofHours(1));
    service.expire();
    assertNoEvents();
    advanceMillis(1000);
    assertEquals(1, onlyEvent().data());
  }

  @Test
  @DisplayName("disable_and_enable")
  void disableAndEnable() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 5, null);
    add(1, EVFILT_TIMER, EV_DISABLE, 0, 0, null);
    advanceMillis(100);
    assertNoEvents();
    add(1, EVFILT_TIMER, EV_ENABLE, 0, 0, null);
    assertEquals(timer(1, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
  }

  @Test
  void disabledPeriodicTimerKeepsCounting() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_DISABLE, 0, 10, null);
    advanceMillis(35);
    assertNoEvents();
    add(1, EVFILT_TIMER, EV_ENABLE, 0, 0, null);
    assertEquals(timer(1, EV_CLEAR, 3), onlyEvent());
  }

  @Test
  @DisplayName("test_dispatch")
  void testDispatch() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_DISPATCH, 0, 10, null);
    advanceMillis(10);
    assertEquals(timer(1, EV_CLEAR | EV_DISPATCH, 1), onlyEvent());
    advanceMillis(20);
    assertNoEvents();
    add(1, EVFILT_TIMER, EV_ENABLE | EV_DISPATCH, 0, 0, null);
    assertEquals(timer(1, EV_CLEAR | EV_DISPATCH, 2), onlyEvent());
    assertNoEvents();
  }

  @Test
  @DisplayName("test_update")
  void testUpdate() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 1000, null);
    advanceMillis(500);
    add(1, EVFILT_TIMER, EV_ADD, 0, 200, null);
    advanceMillis(199);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent());
    advanceMillis(300); // at 1000 of the old timer, 400 of the new: only the new period counts
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent());
  }

  @Test
  @DisplayName("test_update_equal")
  void testUpdateEqual() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 300, null);
    advanceMillis(200);
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 300, null); // restarts the same period
    advanceMillis(299);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(timer(1, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
  }

  @Test
  @DisplayName("test_update_expired")
  void testUpdateExpired() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 10, null);
    advanceMillis(10); // expired, not yet retrieved
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 100, null);
    assertNoEvents(); // the expiry under the old parameters is thrown away
    advanceMillis(99);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(timer(1, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
    assertEquals(Errno.ENOENT, change(1, EVFILT_TIMER, EV_DELETE, 0, 0, null).data());
  }

  @Test
  void updateExpiredOneshotWhoseNewTimerExpiresBeforeTheScan() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 10, null);
    advanceMillis(10);
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 5, null);
    advanceMillis(5); // the new expiry arrives while the stale one is still queued
    assertEquals(timer(1, EV_CLEAR | EV_ONESHOT, 1), onlyEvent());
    assertNoEvents();
    assertEquals(0, filter.timers(), "delivered once, then dropped");
  }

  @Test
  void updateExpiredPeriodicDiscardsTheOldCount() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
    advanceMillis(20);
    add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
    assertNoEvents();
    advanceMillis(10);
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent());
  }

  @Test
  @DisplayName("test_update_periodic")
  void testUpdatePeriodic() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 100, null);
    advanceMillis(100);
    assertEquals(1, onlyEvent().data());
    add(1, EVFILT_TIMER, EV_ADD, NOTE_SECONDS, 1, null);
    advanceMillis(999);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent());
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 10, null); // EV_ONESHOT is not changed by a re-add
    advanceMillis(30);
    assertEquals(timer(1, EV_CLEAR, 3), onlyEvent());
  }

  @Test
  @DisplayName("test_update_timing")
  void testUpdateTiming() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 100, null);
    for (int i = 0; i < 20; i++) {
      advanceMillis(50);
      add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 100 + i, null);
    }
    assertNoEvents();
    advanceMillis(118);
    assertNoEvents();
    advanceMillis(1);
    assertEquals(1, onlyEvent().data());
  }

  @Test
  void updateWithInvalidDataReportsTheErrorOnceAndStopsTheTimer() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
    KEvent[] receipt = new KEvent[1];
    assertEquals(1, kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_TIMER, EV_ADD | EV_RECEIPT, 0, -1, null)},
        receipt, Duration.ZERO));
    assertEquals(0, receipt[0].data(), "the change itself succeeds, as in FreeBSD");
    assertEquals(timer(1, EV_CLEAR | EV_ERROR, Errno.EINVAL), onlyEvent());
    advanceMillis(100);
    assertNoEvents();
    add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
    advanceMillis(10);
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent(), "a valid re-add starts it again");
  }

  @Test
  void updateOfAOneshotWithInvalidDataDeliversTheErrorAndDrops() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 10, null);
    add(1, EVFILT_TIMER, EV_ADD, 0x40, 10, null);
    KEvent error = onlyEvent();
    assertEquals(EV_ERROR | EV_CLEAR | EV_ONESHOT, error.flags());
    assertEquals(Errno.EINVAL, error.data());
    assertEquals(0, filter.timers());
  }

  @Test
  void enableAndDisableLeaveTheTimerAlone() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 100, null);
    advanceMillis(50);
    add(1, EVFILT_TIMER, EV_DISABLE, 0, 7, null);
    add(1, EVFILT_TIMER, EV_ENABLE, 0, 7, null);
    advanceMillis(50);
    assertEquals(timer(1, EV_CLEAR, 1), onlyEvent(), "period and phase unchanged");
  }

  @Test
  void forceOneshotDeliversThePendingCountThenDrops() throws KQueueException {
    add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
    advanceMillis(20);
    add(1, EVFILT_TIMER, EV_FORCEONESHOT, 0, 0, null);
    assertEquals(timer(1, EV_CLEAR | EV_ONESHOT, 2), onlyEvent());
    assertEquals(0, filter.timers());
  }

  @Test
  void timersOfSeveralQueuesAreIndependent() throws KQueueException {
    try (KQueue other = KQueue.emulated()) {
      add(1, EVFILT_TIMER, EV_ADD, 0, 10, null);
      other.kevent(new KEvent[] {timer(1, EV_ADD, 30)}, null, Duration.ZERO);
      advanceMillis(30);
      assertEquals(timer(1, EV_CLEAR, 3), onlyEvent());
      assertArrayEquals(new KEvent[] {timer(1, EV_CLEAR, 1)}, poll(other));
      assertEquals(2, service.size());
    }
    assertEquals(1, service.size(), "closing a queue cancels its timers");
  }

  @Test
  void closeCancelsEveryTimer() throws KQueueException {
    for (int i = 0; i < 100; i++) {
      add(i, EVFILT_TIMER, EV_ADD, 0, 1 + i, null);
    }
    assertEquals(100, service.size());
    kq.close();
    assertEquals(0, service.size());
    assertEquals(0, filter.timers());
  }

  @Test
  void moreTimersThanTheLimitIsEnomem() throws KQueueException {
    for (int i = 0; i < filter.maxTimers(); i++) {
      add(i, EVFILT_TIMER, EV_ADD, 0, 1000, null);
    }
    KQueueException full =
        assertThrows(KQueueException.class, () -> add(-1, EVFILT_TIMER, EV_ADD, 0, 1000, null));
    assertEquals(Errno.ENOMEM, full.errno());
    assertTrue(full.getMessage().contains(TimerFilter.MAX_TIMERS_PROPERTY), full.getMessage());
    add(0, EVFILT_TIMER, EV_DELETE, 0, 0, null);
    add(-1, EVFILT_TIMER, EV_ADD, 0, 1000, null);
  }

  @Test
  void manyTimersExpireInDeadlineOrderAcrossIdents() throws KQueueException {
    for (int i = 1; i <= 50; i++) {
      add(i, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 51 - i, null);
    }
    for (int ms = 1; ms <= 50; ms++) {
      advanceMillis(1);
      assertEquals(51 - ms, onlyEvent().ident());
    }
    assertEquals(0, filter.timers());
  }
}
