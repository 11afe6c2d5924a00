package io.kqueue4j.filters.timer;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timing mechanism behind every {@code EVFILT_TIMER} knote of every kqueue: FreeBSD's
 * callout wheel reduced to an indexed min-heap of deadlines ({@link TimerHeap}) and, for the
 * {@link #system()} service, one daemon thread ({@code kqueue4j-timer}) that sleeps until the
 * earliest deadline.
 *
 * <p>Costs: scheduling and cancelling are O(log n) under one lock; finding the next due timer is
 * O(1), so a million idle timers do not delay one that is due; an expiry is O(log n). A timer is
 * one small object, the {@link Timer} itself (the filter's per-knote entry), plus its heap slot;
 * nothing is allocated per expiry.
 *
 * <p>Periodic timers are re-armed at absolute deadlines ({@code next += period}, no drift). When
 * the thread falls behind by whole periods it does not replay them one by one: one expiry reports
 * every period that has elapsed.
 *
 * <p>Time is read from a {@link TimerClock}. A {@link #driven(TimerClock)} service has no thread:
 * its owner calls {@link #expire()} after moving the clock, which makes timer logic testable
 * without real time.
 *
 * <p>Locking: {@link Timer#expired} runs with this service's lock held, and {@link #cancel} takes
 * it, so once {@code cancel} returns no expiry of that timer is running or will run. Nothing may
 * take this lock while holding a kqueue's lock; activating a knote (which takes it) under this lock
 * is fine.
 */
public final class TimerService {

  /** How many expiries the thread handles before it lets waiting schedulers at the lock. */
  private static final int BATCH = 256;
  /** How long the thread pauses after an error of its own, so that a failing clock cannot spin. */
  private static final long ERROR_PAUSE_NANOS = 1_000_000;

  private final TimerClock clock;
  /** Monotonic time at creation: deadlines count from here, so they never wrap. */
  private final long origin;
  private final boolean threaded;
  private final String threadName;
  /**
   * Fair, so that the thread, which takes it again after every pass while timers are due, queues
   * behind schedulers and cancellers instead of barging ahead of them.
   */
  private final ReentrantLock lock = new ReentrantLock(true);
  /** Signalled when an earlier deadline is scheduled while the thread sleeps. */
  private final Condition wake = lock.newCondition();
  private final TimerHeap heap = new TimerHeap();
  private Thread thread;
  /** The deadline the thread sleeps until, or {@code Long.MAX_VALUE}; guarded by the lock. */
  private long sleepingUntil = Long.MAX_VALUE;

  private TimerService(TimerClock clock, boolean threaded, String threadName) {
    this.clock = clock;
    this.origin = clock.nanoTime();
    this.threaded = threaded;
    this.threadName = threadName;
  }

  /**
   * The real-time service shared by every kqueue; its thread starts with the first timer.
   *
   * @return the service on {@link TimerClock#system()} with the daemon thread {@code
   *     kqueue4j-timer}
   */
  public static TimerService system() {
    return SystemHolder.SERVICE;
  }

  /**
   * A service on {@code clock} with its own thread, started with the first timer.
   *
   * @param clock the clock that deadlines are measured on
   * @param threadName the name of the service's daemon thread
   * @return a new service; its thread, once started, runs for the life of the JVM
   */
  public static TimerService threaded(TimerClock clock, String threadName) {
    return new TimerService(clock, true, threadName);
  }

  /**
   * A service without a thread: timers expire only when {@link #expire()} is called. For tests
   * with a manual clock, and for callers that drive time themselves.
   *
   * @param clock the clock that deadlines are measured on, typically a manual one
   * @return a new service without a thread
   */
  public static TimerService driven(TimerClock clock) {
    return new TimerService(clock, false, null);
  }

  /**
   * The clock this service reads.
   *
   * @return the clock given at creation
   */
  public TimerClock clock() {
    return clock;
  }

  /** Nanoseconds since this service was created, on its monotonic clock. */
  long now() {
    return clock.nanoTime() - origin;
  }

  /**
   * How many timers are scheduled.
   *
   * @return the number of scheduled timers, of every filter on this service
   */
  public int size() {
    lock.lock();
    try {
      return heap.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The earliest scheduled deadline as a delay from now in nanoseconds (0 when overdue), or -1 when
   * no timer is scheduled.
   *
   * @return nanoseconds until the earliest deadline, 0 when overdue, -1 when no timer is scheduled
   */
  public long nextDelayNanos() {
    lock.lock();
    try {
      return heap.size() == 0 ? -1 : Math.max(0, heap.firstDeadline() - now());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs every timer that is due by the clock's current time and returns how many expired (a
   * periodic timer that missed three periods counts once, reporting 3). The thread of a threaded
   * service does this by itself; owners of a {@link #driven} service call it after moving the
   * clock.
   *
   * @return the number of timers that expired, 0 when none was due
   */
  public int expire() {
    lock.lock();
    try {
      return fireDue(now(), Integer.MAX_VALUE);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Schedules {@code timer}, which must not be scheduled, to expire after {@code delayNanos}; when
   * it expires, its {@link Timer#period()} says whether and when it expires again.
   */
  void schedule(Timer timer, long delayNanos) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("negative delay " + delayNanos);
    }
    lock.lock();
    try {
      if (timer.index >= 0) {
        throw new IllegalStateException("timer already scheduled");
      }
      heap.add(timer, saturatedAdd(now(), delayNanos));
      if (threaded && timer.index == 0) {
        startOrWake(heap.firstDeadline());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Unschedules {@code timer}. When this returns, no expiry of it runs or will run until it is
   * scheduled again.
   *
   * @return whether it was scheduled
   */
  boolean cancel(Timer timer) {
    lock.lock();
    try {
      if (timer.index < 0) {
        return false;
      }
      heap.remove(timer);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Holds the lock for {@code action}, so that it runs between expiries; for the filter. */
  void locked(Runnable action) {
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- expiry

  /** Fires up to {@code max} due timers at time {@code now}; with the lock held. */
  private int fireDue(long now, int max) {
    int fired = 0;
    while (heap.size() > 0 && fired < max) {
      long deadline = heap.firstDeadline();
      if (deadline > now) {
        break;
      }
      Timer timer = heap.first();
      long count;
      long period = timer.period();
      if (period > 0) {
        long elapsed = (now - deadline) / period + 1;
        count = elapsed;
        heap.rescheduleFirst(saturatedAdd(deadline, saturatedMultiply(elapsed, period)));
      } else {
        count = 1;
        heap.remove(timer);
      }
      fired++;
      try {
        timer.expired(count);
      } catch (RuntimeException | Error e) {
        report(e); // and go on: the other timers must keep firing
      }
    }
    return fired;
  }

  private void startOrWake(long deadline) {
    if (thread == null) {
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      thread.start();
    } else if (deadline < sleepingUntil) {
      wake.signal();
    }
  }

  /**
   * The thread: sleep until the earliest deadline, fire what is due, repeat. Every timer of the JVM
   * depends on it, so an error of its own (a failing clock, an {@code OutOfMemoryError}) is
   * reported to the thread's uncaught-exception handler and the thread goes on after a pause.
   */
  private void run() {
    lock.lock();
    try {
      while (true) {
        try {
          serve();
        } catch (RuntimeException | Error e) {
          if (!lock.isHeldByCurrentThread()) {
            lock.lock();
          }
          report(e);
          pause();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** One turn of {@link #run}: sleep, or fire what is due; with the lock held. */
  private void serve() {
    long now = now();
    if (heap.size() == 0) {
      sleepingUntil = Long.MAX_VALUE;
      wake.awaitUninterruptibly();
      return;
    }
    long delay = heap.firstDeadline() - now;
    if (delay > 0) {
      sleepingUntil = heap.firstDeadline();
      try {
        wake.awaitNanos(delay);
      } catch (InterruptedException e) {
        // nobody else holds this thread; keep serving timers
      }
      return;
    }
    sleepingUntil = Long.MIN_VALUE;
    fireDue(now, BATCH);
    if (lock.hasQueuedThreads()) {
      // a timer shorter than a pass is due on every pass: let schedulers and cancellers in first
      lock.unlock();
      lock.lock();
    }
  }

  private void pause() {
    try {
      wake.awaitNanos(ERROR_PAUSE_NANOS);
    } catch (InterruptedException e) {
      // keep serving timers
    }
  }

  private static void report(Throwable e) {
    Thread current = Thread.currentThread();
    current.getUncaughtExceptionHandler().uncaughtException(current, e);
  }

  /** Checks the heap order and indexes; for tests. */
  void checkInvariants() {
    lock.lock();
    try {
      heap.checkInvariants();
    } finally {
      lock.unlock();
    }
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  static long saturatedMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    return "TimerService[" + (threaded ? threadName : "driven") + ", timers=" + size() + "]";
  }

  /**
   * One timer: its slot in the heap, which holds its deadline. The filter's per-knote entry extends
   * it, so a timer costs one object; the period is asked of the subclass when the timer expires, so
   * it need not be stored twice.
   */
  abstract static class Timer {
    /** Slot in the heap, -1 when not scheduled; guarded by the service's lock. */
    int index = -1;

    /**
     * Nanoseconds until the next expiry after one that is due, or 0 for a timer that fires once.
     * Called with the service's lock held; changes while the timer is scheduled are made under it.
     */
    abstract long period();

    /**
     * Called with the service's lock held when the timer expires; {@code count} is the number of
     * periods that elapsed (1 unless the service fell behind).
     */
    abstract void expired(long count);

    /** Whether the timer is scheduled; with the lock held. */
    boolean isScheduled() {
      return index >= 0;
    }
  }

  private static final class SystemHolder {
    static final TimerService SERVICE = threaded(TimerClock.system(), "kqueue4j-timer");
  }
}
