package io.kqueue4j.filters.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kqueue4j.kernel.ActivationBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The heap and expiry arithmetic of {@link TimerService}, on a manual clock. */
class TimerServiceTest {
  private final ManualClock clock = new ManualClock();
  private final TimerService service = TimerService.driven(clock);

  /** A timer that adds up what it was told. */
  static final class CountingTimer extends TimerService.Timer {
    final long period;
    long total;
    int calls;

    CountingTimer(long period) {
      this.period = period;
    }

    CountingTimer() {
      this(0);
    }

    @Override
    long period() {
      return period;
    }

    @Override
    void expired(long count, ActivationBatch activations) {
      total += count;
      calls++;
    }
  }

  private void advanceMillis(long millis) {
    clock.advance(Duration.ofMillis(millis));
    service.expire();
    service.checkInvariants();
  }

  @Test
  void oneTimeTimerFiresOnceAtItsDeadline() {
    CountingTimer timer = new CountingTimer();
    service.schedule(timer, TimeUnit.MILLISECONDS.toNanos(10));
    advanceMillis(9);
    assertEquals(0, timer.calls);
    advanceMillis(1);
    assertEquals(1, timer.calls);
    assertEquals(1, timer.total);
    assertFalse(timer.isScheduled());
    advanceMillis(1000);
    assertEquals(1, timer.calls);
    assertEquals(0, service.size());
  }

  @Test
  void periodicTimerReArmsAtAbsoluteDeadlinesWithoutDrift() {
    long period = TimeUnit.MILLISECONDS.toNanos(10);
    CountingTimer timer = new CountingTimer(period);
    service.schedule(timer, period);
    advanceMillis(15); // fires for t=10, next at 20 (not 25)
    assertEquals(1, timer.total);
    advanceMillis(5);
    assertEquals(2, timer.total);
    assertEquals(period, service.nextDelayNanos());
  }

  @Test
  void lateExpiryCountsEveryElapsedPeriodInOneCall() {
    long period = TimeUnit.MILLISECONDS.toNanos(10);
    CountingTimer timer = new CountingTimer(period);
    service.schedule(timer, period);
    advanceMillis(35); // t=10, 20, 30
    assertEquals(1, timer.calls);
    assertEquals(3, timer.total);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(5), service.nextDelayNanos());
  }

  @Test
  void anExpiryLateByExactlyOnePeriodCountsTwo() {
    long period = TimeUnit.MILLISECONDS.toNanos(10);
    CountingTimer timer = new CountingTimer(period);
    service.schedule(timer, period);
    advanceMillis(19);
    assertEquals(1, timer.total); // t=10
    advanceMillis(11); // now 30: late by exactly one period for t=20
    assertEquals(2, timer.calls);
    assertEquals(3, timer.total);
    assertEquals(period, service.nextDelayNanos());
  }

  @Test
  void cancelledTimerNeverFires() {
    CountingTimer timer = new CountingTimer(1);
    service.schedule(timer, 1);
    assertTrue(service.cancel(timer));
    assertFalse(service.cancel(timer));
    advanceMillis(10);
    assertEquals(0, timer.calls);
    assertEquals(-1, service.nextDelayNanos());
  }

  @Test
  void timerCancelledAndRescheduledAtTheSameDeadlineFiresOncePerPeriod() {
    long period = TimeUnit.MILLISECONDS.toNanos(10);
    CountingTimer timer = new CountingTimer(period);
    service.schedule(timer, period);
    assertTrue(service.cancel(timer));
    service.schedule(timer, period); // the cancelled entry, same deadline, is still in the heap
    advanceMillis(10);
    assertEquals(1, timer.total);
    advanceMillis(10);
    assertEquals(2, timer.total);
    assertEquals(1, service.size());
  }

  @Test
  void entriesOfCancelledTimersNeitherFireNorHideTheNextDeadline() {
    List<CountingTimer> cancelled = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      CountingTimer timer = new CountingTimer();
      service.schedule(timer, TimeUnit.MILLISECONDS.toNanos(i));
      cancelled.add(timer);
    }
    cancelled.forEach(service::cancel);
    service.checkInvariants();
    CountingTimer live = new CountingTimer();
    service.schedule(live, TimeUnit.MILLISECONDS.toNanos(5000));
    assertEquals(TimeUnit.MILLISECONDS.toNanos(5000), service.nextDelayNanos());
    advanceMillis(2000);
    assertEquals(0, cancelled.stream().mapToInt(t -> t.calls).sum());
    advanceMillis(3000);
    assertEquals(1, live.calls);
    assertEquals(0, service.size());
  }

  @Test
  void schedulingAScheduledTimerIsRefused() {
    CountingTimer timer = new CountingTimer();
    service.schedule(timer, 10);
    assertThrows(IllegalStateException.class, () -> service.schedule(timer, 10));
  }

  @Test
  void hugeDeadlinesSaturateInsteadOfWrapping() {
    CountingTimer far = new CountingTimer(Long.MAX_VALUE);
    CountingTimer near = new CountingTimer();
    service.schedule(far, Long.MAX_VALUE);
    service.schedule(near, 1);
    advanceMillis(1);
    assertEquals(1, near.calls);
    assertEquals(0, far.calls);
    assertEquals(Long.MAX_VALUE, TimerService.saturatedMultiply(Long.MAX_VALUE / 2, 3));
    assertEquals(Long.MAX_VALUE, TimerService.saturatedAdd(Long.MAX_VALUE - 1, 2));
  }

  @Test
  void theThreadedServiceFiresOnRealTime() throws InterruptedException {
    TimerService threaded = TimerService.threaded(TimerClock.system(), "timer-service-test");
    CountDownLatch fired = new CountDownLatch(3);
    TimerService.Timer timer =
        new TimerService.Timer() {
          @Override
          long period() {
            return TimeUnit.MILLISECONDS.toNanos(5);
          }

          @Override
          void expired(long count, ActivationBatch activations) {
            for (long i = 0; i < count; i++) {
              fired.countDown();
            }
          }
        };
    threaded.schedule(timer, TimeUnit.MILLISECONDS.toNanos(5));
    assertTrue(fired.await(5, TimeUnit.SECONDS));
    threaded.cancel(timer);
  }

  /**
   * A periodic timer of 1 ns is due again on every pass of the thread; scheduling and cancelling
   * other timers must still get the service's lock (it once kept the lock as long as it ran).
   */
  @Test
  void aNanosecondTimerDoesNotLockOutOthers() throws Exception {
    TimerService threaded = TimerService.threaded(TimerClock.system(), "timer-service-busy");
    CountingTimer busy = new CountingTimer(1);
    threaded.schedule(busy, 0);
    CompletableFuture<Void> others = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 1_000; i++) {
        CountingTimer other = new CountingTimer(TimeUnit.HOURS.toNanos(1));
        threaded.schedule(other, TimeUnit.HOURS.toNanos(1));
        assertTrue(threaded.cancel(other));
      }
      assertTrue(threaded.cancel(busy));
    });
    others.get(30, TimeUnit.SECONDS); // not in a finally: it would wait for the lock as well
  }

  /**
   * Thousands of one-shot timers, more than one page of the heap, half of them cancelled: the rest
   * expire in deadline order, each once.
   */
  @Test
  void manyTimersAcrossHeapPagesExpireInDeadlineOrder() {
    int count = 5 * TimerHeap.PAGE + 17;
    Random random = new Random(42);
    List<long[]> fired = new ArrayList<>(); // {deadline, expected slot}
    List<TimerService.Timer> timers = new ArrayList<>();
    long[] deadlines = new long[count];
    for (int i = 0; i < count; i++) {
      long deadline = 1 + random.nextInt(1_000_000);
      deadlines[i] = deadline;
      TimerService.Timer timer = new TimerService.Timer() {
        @Override
        long period() {
          return 0;
        }

        @Override
        void expired(long n, ActivationBatch activations) {
          fired.add(new long[] {deadline, n});
        }
      };
      timers.add(timer);
      service.schedule(timer, deadline);
    }
    service.checkInvariants();
    int cancelled = 0;
    for (int i = 0; i < count; i += 2) {
      assertTrue(service.cancel(timers.get(i)));
      cancelled++;
    }
    service.checkInvariants();
    assertEquals(count - cancelled, service.size());
    for (long t = 0; t <= 1_000_000; t += 997) {
      clock.advanceNanos(997);
      service.expire();
      service.checkInvariants();
    }
    clock.advanceNanos(1_000_000);
    service.expire();
    assertEquals(0, service.size());
    assertEquals(count - cancelled, fired.size());
    for (int i = 1; i < fired.size(); i++) {
      assertTrue(fired.get(i - 1)[0] <= fired.get(i)[0], "expired out of deadline order at " + i);
    }
    fired.forEach(f -> assertEquals(1, f[1]));
  }

  /**
   * Periodic timers of three periods (three queues) and one-time timers (the heap) with
   * interleaved deadlines, all due in one expiry: they fire in the order of their deadlines, a
   * queue's timers interleaved with the others', and each periodic one counts every period.
   */
  @Test
  void timersOfSeveralQueuesAndTheHeapDueTogetherFireInDeadlineOrder() {
    List<Long> order = new ArrayList<>(); // the deadline of each expiry, in firing order
    List<long[]> periodic = new ArrayList<>(); // {start, period, total}
    long[] periods = {7_000_000, 11_000_000, 13_000_000};
    Random random = new Random(7);
    for (int i = 0; i < 60; i++) {
      clock.advanceNanos(1_000_000 + random.nextInt(1000)); // no expiry yet
      long start = service.now();
      long[] state = {start, periods[i % 3], 0};
      periodic.add(state);
      service.schedule(new TimerService.Timer() {
        @Override
        long period() {
          return state[1];
        }

        @Override
        void expired(long n, ActivationBatch activations) {
          order.add(state[0] + state[1] * (state[2] + 1)); // its first deadline not yet reported
          state[2] += n;
        }
      }, state[1]);
      long delay = random.nextInt(80_000_000);
      long deadline = start + delay;
      service.schedule(new TimerService.Timer() {
        @Override
        long period() {
          return 0;
        }

        @Override
        void expired(long n, ActivationBatch activations) {
          order.add(deadline);
        }
      }, delay);
    }
    clock.advanceNanos(200_000_000);
    service.expire();
    service.checkInvariants();
    assertEquals(120, order.size());
    for (int i = 1; i < order.size(); i++) {
      assertTrue(order.get(i - 1) <= order.get(i), "expired out of deadline order at " + i);
    }
    long now = service.now();
    periodic.forEach(t -> assertEquals((now - t[0]) / t[1], t[2], "periods counted"));
  }

  /**
   * Thousands of periodic timers of one period, more than a page of their queue's ring: each
   * counts every period that passed from its own start, across growth of the ring, cancels of most
   * of them (which shrink it) and expiries that wrap around it.
   */
  @Test
  void manyPeriodicTimersOfOnePeriodAcrossQueuePagesKeepTheirPhase() {
    int count = 3 * TimerQueue.PAGE + 5;
    long period = 10_000;
    List<CountingTimer> timers = new ArrayList<>();
    long[] starts = new long[count];
    long now = 0;
    for (int i = 0; i < count; i++) {
      CountingTimer timer = new CountingTimer(period);
      service.schedule(timer, period); // into the period's queue
      timers.add(timer);
      starts[i] = now;
      clock.advanceNanos(1);
      now++;
    }
    service.checkInvariants();
    boolean[] cancelled = new boolean[count];
    for (int step = 0; step < 40; step++) {
      long by = step % 3 == 0 ? 3 * period + 7 : period / 3;
      clock.advanceNanos(by);
      now += by;
      service.expire();
      if (step == 10) {
        for (int i = 0; i < count; i++) {
          if (i % 5 != 0) {
            assertTrue(service.cancel(timers.get(i)));
            cancelled[i] = true;
          }
        }
      }
      service.checkInvariants();
      for (int i = 0; i < count; i++) {
        if (!cancelled[i]) {
          assertEquals((now - starts[i]) / period, timers.get(i).total, "timer " + i);
        }
      }
    }
    assertEquals((count + 4) / 5, service.size());
  }

  /**
   * A randomized run against a model: timers scheduled (periodic ones often at their period, which
   * puts them in their period's queue), cancelled, scheduled again and expired;
   * after every step each timer's total must equal the number of its deadlines that have passed,
   * computed directly. Cancelled and re-scheduled timers leave stale heap entries behind, which
   * must neither fire nor outgrow the live ones ({@link TimerService#checkInvariants}).
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomScheduleCancelAdvanceMatchesTheModel(long seed) {
    Random random = new Random(seed);
    List<CountingTimer> timers = new ArrayList<>();
    // {deadline of the current schedule, period, total before it, expected total, cancelled}
    List<long[]> model = new ArrayList<>();
    long now = 0;
    for (int step = 0; step < 3000; step++) {
      int op = random.nextInt(10);
      if (op < 3 || timers.isEmpty()) {
        // periods from a few shared values too, so that queues of a period hold many timers
        long period = random.nextBoolean() ? 0
            : random.nextBoolean() ? 1 + random.nextInt(500) : 50 * (1 + random.nextInt(3));
        long delay = period > 0 && random.nextBoolean() ? period : random.nextInt(2000);
        CountingTimer timer = new CountingTimer(period);
        service.schedule(timer, delay);
        timers.add(timer);
        model.add(new long[] {now + delay, period, 0, 0, 0});
      } else if (op < 5) {
        int i = random.nextInt(timers.size());
        long[] m = model.get(i);
        assertEquals(isScheduled(m), service.cancel(timers.get(i)), "timer " + i + " scheduled");
        m[4] = 1;
      } else if (op < 7) {
        int i = random.nextInt(timers.size());
        long[] m = model.get(i);
        if (!isScheduled(m)) {
          long delay = random.nextInt(2000);
          service.schedule(timers.get(i), delay);
          m[0] = now + delay;
          m[2] = m[3];
          m[4] = 0;
        }
      } else {
        long by = random.nextInt(op == 9 ? 5000 : 300);
        now += by;
        clock.advanceNanos(by);
        service.expire();
        for (long[] m : model) {
          if (m[4] == 0 && now >= m[0]) {
            m[3] = m[2] + (m[1] == 0 ? 1 : (now - m[0]) / m[1] + 1);
          }
        }
      }
      service.checkInvariants();
      long scheduled = model.stream().filter(TimerServiceTest::isScheduled).count();
      assertEquals(scheduled, service.size(), "scheduled timers at step " + step);
      for (int i = 0; i < timers.size(); i++) {
        assertEquals(model.get(i)[3], timers.get(i).total, "timer " + i + " at step " + step);
      }
    }
  }

  private static boolean isScheduled(long[] m) {
    return m[4] == 0 && (m[1] > 0 || m[3] == m[2]);
  }

  /**
   * Churn on one timer among idle ones (an {@code EV_ADD} that restarts a timer, again and again):
   * each cancel leaves an entry behind, which the heap must drop rather than keep, and only the
   * last schedule fires.
   */
  @Test
  void rescheduledTimerFiresOnceAndItsOldEntriesAreDropped() {
    List<CountingTimer> idle = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      CountingTimer timer = new CountingTimer();
      service.schedule(timer, 1_000_000 + i);
      idle.add(timer);
    }
    CountingTimer churned = new CountingTimer();
    for (int i = 0; i < 10_000; i++) {
      service.schedule(churned, 500 + i % 7);
      assertTrue(service.cancel(churned));
      service.checkInvariants();
    }
    service.schedule(churned, 500);
    assertEquals(101, service.size());
    clock.advanceNanos(1000);
    assertEquals(1, service.expire());
    assertEquals(1, churned.calls);
    clock.advanceNanos(1_000_000);
    assertEquals(100, service.expire());
    service.checkInvariants();
    idle.forEach(t -> assertEquals(1, t.calls));
    assertEquals(0, service.size());
  }
}
