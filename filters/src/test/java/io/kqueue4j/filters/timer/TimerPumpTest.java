package io.kqueue4j.filters.timer;

import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.testing.KeventWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared timer service as an event pump (docs/architecture.md, "Event pumps"): a thread in
 * {@code kevent} on a kqueue with timers fires the due timers itself and waits for the next
 * deadline in the service instead of asleep on its kqueue. While it waits there, everything that
 * would have woken it on its kqueue must still end the wait: an event of another filter, an earlier
 * timer added by another thread, an interrupt, the kqueue's close; and a second kqueue's caller,
 * which follows, gets its timers from the leader.
 */
class TimerPumpTest {
  private static final Duration WAIT = KeventWaiter.WAIT;
  private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);

  private final List<KQueue> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws KQueueException {
    for (KQueue kq : open) {
      kq.close();
    }
  }

  /** A kqueue whose only knote is a timer an hour away: its caller waits in the timer pump. */
  private KQueue withFarTimer() throws KQueueException {
    KQueue kq = KQueue.emulated();
    open.add(kq);
    kq.kevent(new KEvent[] {KEvent.of(1, EVFILT_TIMER, EV_ADD, 0, HOUR_MS, null)}, null,
        Duration.ZERO);
    return kq;
  }

  /** A thread blocked in {@code kevent(null, out, null)}, and where it waits. */
  static final class Waiter extends KeventWaiter {
    Waiter(KQueue kq, String name) {
      super(kq, name);
    }

    /** Whether the thread waits in the timer service's poll as the pump's leader. */
    boolean leads() {
      Thread.State state = thread.getState();
      return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
          && has("io.kqueue4j.kernel.EventPump", "poll")
          && has("io.kqueue4j.filters.timer.TimerService$Source", "poll");
    }

    /** Whether the thread sleeps on its kqueue, not in the pump. */
    boolean follows() {
      return thread.getState() == Thread.State.WAITING
          && has("io.kqueue4j.kernel.EmulatedKQueue", "sleep")
          && !has("io.kqueue4j.kernel.EventPump", "poll");
    }

    void awaitLeads() {
      awaitState("the timer pump's leader", this::leads);
    }

    void awaitFollows() {
      awaitState("asleep on its kqueue", this::follows);
    }
  }

  @Test
  void a_caller_waits_for_the_next_deadline_in_the_pump_and_gets_a_timer_it_fired()
      throws Exception {
    KQueue kq = withFarTimer();
    kq.kevent(new KEvent[] {KEvent.of(2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 300, null)}, null,
        Duration.ZERO);
    Waiter waiter = new Waiter(kq, "leader");
    waiter.awaitLeads(); // until the 300 ms deadline, in the service, not on the kqueue
    waiter.assertReturned(1, false);
    assertEquals(2, waiter.out[0].ident());
    assertEquals(1, waiter.out[0].data());
  }

  @Test
  void an_event_of_another_filter_ends_the_leaders_wait() throws Exception {
    KQueue kq = withFarTimer();
    kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, null)}, null,
        Duration.ZERO);
    Waiter waiter = new Waiter(kq, "leader");
    waiter.awaitLeads();
    kq.kevent(new KEvent[] {KEvent.of(7, EVFILT_USER, 0, NOTE_TRIGGER, 0, null)}, null,
        Duration.ZERO);
    waiter.assertReturned(1, false);
    assertEquals(EVFILT_USER, waiter.out[0].filter());
  }

  @Test
  void an_earlier_timer_added_by_another_thread_wakes_the_leader_for_its_deadline()
      throws Exception {
    KQueue kq = withFarTimer();
    Waiter waiter = new Waiter(kq, "leader");
    waiter.awaitLeads(); // until the deadline an hour away
    kq.kevent(new KEvent[] {KEvent.of(3, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 20, null)}, null,
        Duration.ZERO);
    waiter.assertReturned(1, false);
    assertEquals(3, waiter.out[0].ident());
  }

  @Test
  void interrupting_the_leader_returns_zero_and_the_next_caller_leads_and_gets_timers()
      throws Exception {
    KQueue kq = withFarTimer();
    Waiter leader = new Waiter(kq, "leader");
    leader.awaitLeads();
    leader.thread.interrupt();
    leader.assertReturned(0, true);
    Waiter next = new Waiter(kq, "next");
    next.awaitLeads();
    kq.kevent(new KEvent[] {KEvent.of(4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 20, null)}, null,
        Duration.ZERO);
    next.assertReturned(1, false);
    assertEquals(4, next.out[0].ident());
  }

  @Test
  void closing_the_kqueue_ends_the_leaders_wait_with_ebadf() throws Exception {
    KQueue kq = withFarTimer();
    Waiter leader = new Waiter(kq, "leader");
    leader.awaitLeads();
    kq.close();
    leader.thread.join(WAIT.toMillis());
    assertFalse(leader.thread.isAlive(), "the leader is still in kevent");
    KQueueException e = assertInstanceOf(KQueueException.class, leader.failure());
    assertEquals(Errno.EBADF, e.errno());
  }

  @Test
  void a_follower_on_another_kqueue_gets_its_timer_from_the_leaders_firing() throws Exception {
    KQueue first = withFarTimer();
    KQueue second = withFarTimer();
    Waiter leader = new Waiter(first, "leader");
    leader.awaitLeads();
    Waiter follower = new Waiter(second, "follower");
    follower.awaitFollows();
    second.kevent(new KEvent[] {KEvent.of(5, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 20, null)},
        null, Duration.ZERO);
    follower.assertReturned(1, false);
    assertEquals(5, follower.out[0].ident());
    first.kevent(new KEvent[] {KEvent.of(6, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 20, null)},
        null, Duration.ZERO);
    leader.assertReturned(1, false);
    assertEquals(6, leader.out[0].ident());
  }
}
