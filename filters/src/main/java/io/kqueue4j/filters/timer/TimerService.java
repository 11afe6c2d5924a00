package io.kqueue4j.filters.timer;

import io.kqueue4j.kernel.ActivationBatch;
import io.kqueue4j.kernel.EventPump;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timing mechanism behind every {@code EVFILT_TIMER} knote of every kqueue: FreeBSD's
 * callout wheel reduced to a first-in first-out queue per period ({@link TimerQueue}) for periodic
 * timers and a min-heap of deadlines ({@link TimerHeap}) for the others and the queues' heads.
 *
 * <p>A threaded service, such as the {@link #system()} one, is an {@link EventPump} source: a
 * thread in {@code kevent} on a kqueue with timers fires the due timers itself before it scans,
 * and waits for the next deadline in place of sleeping on its kqueue, so that an expiry reaches it
 * without a wake-up from another thread; the pump's daemon thread ({@code kqueue4j-timer} for the
 * system service) does so whenever no {@code kevent} caller does (see {@link EventPump}).
 *
 * <p>Costs: scheduling a periodic timer and re-arming it after an expiry are O(1) when it goes to
 * its period's queue (the usual case, see {@link TimerQueue}), otherwise O(log m) in a heap of m
 * entries (timers not in a queue, and one entry per queue); cancelling is O(1) amortized (lazy:
 * {@link TimerHeap}); finding the next due timer is O(1), so a million idle timers do not delay
 * one that is due. A queue per distinct period lives while it holds timers. A timer is
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

  /** How many expiries a poll handles before it lets waiting schedulers at the lock. */
  private static final int BATCH = 256;
  /**
   * Below this many stale entries they are left to drop off the top, however few timers remain;
   * beyond it, and more than there are timers, they are removed at once.
   */
  private static final int MIN_REMOVE_STALE = 64;
  /** How long a poll pauses after an error of its own, so that a failing clock cannot spin. */
  private static final long ERROR_PAUSE_NANOS = 1_000_000;

  private final TimerClock clock;
  /** Monotonic time at creation: deadlines count from here, so they never wrap. */
  private final long origin;
  private final boolean threaded;
  private final String threadName;
  /**
   * Fair, so that a poll, which takes it again after every batch while timers are due, queues
   * behind schedulers and cancellers instead of barging ahead of them.
   */
  private final ReentrantLock lock = new ReentrantLock(true);
  private final TimerHeap heap = new TimerHeap();
  /** The queue of each period that has one, all in {@link #heap}. */
  private final Map<Long, TimerQueue> queues = new HashMap<>();
  /** Scheduled timers. */
  private int live;
  /** Entries left behind by cancelled timers, in the heap and the queues. */
  private int stale;
  /** The activations of the expiries of one {@link #fireDue}; guarded by the lock. */
  private final ActivationBatch activations = new ActivationBatch();
  /** The pump of a threaded service, made with the first timer; guarded by the lock. */
  private EventPump pump;
  /** The thread waiting in {@link Source#poll} for a deadline, if any. */
  private volatile Thread sleeper;
  /** The deadline {@link #sleeper} waits for; guarded by the lock. */
  private long sleepingUntil = Long.MAX_VALUE;
  /** Set by {@link Source#wakeup}: the current or next poll returns. */
  private volatile boolean woken;

  private TimerService(TimerClock clock, boolean threaded, String threadName) {
    this.clock = clock;
    this.origin = clock.nanoTime();
    this.threaded = threaded;
    this.threadName = threadName;
  }

  /**
   * The real-time service shared by every kqueue; its pump's thread starts with the first timer.
   *
   * @return the service on {@link TimerClock#system()} with the daemon thread {@code
   *     kqueue4j-timer}
   */
  public static TimerService system() {
    return SystemHolder.SERVICE;
  }

  /**
   * A service on {@code clock} with its own {@link EventPump}, whose thread starts with the first
   * timer.
   *
   * @param clock the clock that deadlines are measured on
   * @param threadName the name of the pump's daemon thread
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
   * The pump that fires this service's timers, for the kqueues of its knotes ({@link
   * io.kqueue4j.kernel.KNote#usePump}).
   *
   * @return the pump, or {@code null} for a {@link #driven} service or before the first timer
   */
  public EventPump pump() {
    lock.lock();
    try {
      return pump;
    } finally {
      lock.unlock();
    }
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
      return live;
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
      return settleFirst() ? Math.max(0, heap.firstDeadline() - now()) : -1;
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
      if (timer.scheduled) {
        throw new IllegalStateException("timer already scheduled");
      }
      timer.scheduled = true;
      live++;
      long deadline = saturatedAdd(now(), delayNanos);
      long period = timer.period();
      arm(timer, deadline, ++timer.generation, period > 0 && period == delayNanos ? period : 0);
      if (threaded) {
        startOrWake(deadline);
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
      if (!timer.scheduled) {
        return false;
      }
      timer.scheduled = false;
      timer.generation++;
      live--;
      if (++stale >= MIN_REMOVE_STALE && stale > live) {
        removeStale();
      }
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

  /**
   * Fires up to {@code max} due timers at time {@code now}; with the lock held. Their knotes are
   * activated in one {@link ActivationBatch}, flushed before this returns.
   */
  private int fireDue(long now, int max) {
    try {
      return fireDueBatched(now, max);
    } finally {
      activations.flush();
    }
  }

  private int fireDueBatched(long now, int max) {
    int fired = 0;
    while (fired < max && settleFirst()) {
      long deadline = heap.firstDeadline();
      if (deadline > now) {
        break;
      }
      Scheduled first = heap.first();
      if (first instanceof TimerQueue queue) {
        fired += fireQueue(queue, Math.min(now, heap.secondDeadline()), now, max - fired);
      } else {
        Timer timer = (Timer) first;
        int generation = heap.firstGeneration();
        heap.removeFirst();
        expire(timer, generation, deadline, now, null);
        fired++;
      }
    }
    return fired;
  }

  /**
   * Fires {@code queue}'s current timers due by {@code limit}, at most {@code max}, then moves the
   * queue's entry, the heap's first, once: no other entry of the heap is due before {@code limit},
   * so they fire in deadline order without the heap's work per expiry. The queue's first entry
   * must be current and due ({@link #settleFirst}), so at least that one fires.
   */
  private int fireQueue(TimerQueue queue, long limit, long now, int max) {
    int fired = 0;
    do {
      Timer timer = queue.first();
      int generation = queue.firstGeneration();
      if (timer.isCurrent(generation)) {
        expire(timer, generation, queue.firstDeadline(), now, queue);
        fired++;
      } else {
        queue.removeFirst();
        stale--;
      }
    } while (fired < max && !queue.isEmpty() && queue.firstDeadline() <= limit);
    settleQueue(queue);
    return fired;
  }

  /**
   * Expires {@code timer}, due at {@code deadline}, whose entry is the first of {@code queue}, or
   * was the heap's first and is removed ({@code queue} null), and re-arms it when it is periodic.
   */
  private void expire(Timer timer, int generation, long deadline, long now, TimerQueue queue) {
    long period = queue != null ? timer.periodInQueue(queue.period) : timer.period();
    long count = 1;
    long next = 0;
    if (period > 0) {
      long late = now - deadline;
      if (late < period) {
        next = saturatedAdd(deadline, period); // the usual case, without a division
      } else {
        count = late / period + 1;
        next = saturatedAdd(deadline, saturatedMultiply(count, period));
      }
    }
    boolean requeued = false;
    if (queue != null) {
      // a queue of one timer accepts any later deadline: it stays, and its entry with it
      requeued = period == queue.period && queue.accepts(next);
      queue.removeFirst();
      if (requeued) {
        queue.append(timer, next, generation);
      }
    }
    if (period == 0) {
      timer.scheduled = false;
      timer.generation++;
      live--;
    } else if (!requeued) {
      arm(timer, next, generation, period);
    }
    try {
      timer.expired(count, activations);
    } catch (RuntimeException | Error e) {
      report(e); // and go on: the other timers must keep firing
    }
  }

  /**
   * Makes an entry for {@code timer}: at the end of the queue of {@code period} when it keeps that
   * queue in order (a new queue when the period has none), else in the heap; {@code period} 0 for
   * the heap only.
   */
  private void arm(Timer timer, long deadline, int generation, long period) {
    if (period > 0) {
      TimerQueue queue = queues.get(period);
      if (queue == null) {
        queue = new TimerQueue(period);
        queues.put(period, queue);
        queue.scheduled = true;
        queue.append(timer, deadline, generation);
        heap.add(queue, deadline, ++queue.generation);
        return;
      }
      if (queue.accepts(deadline)) {
        queue.append(timer, deadline, generation);
        return;
      }
    }
    heap.add(timer, deadline, generation);
  }

  /**
   * After {@code queue}, whose entry is the heap's first, lost its first entry: the queue's entry
   * moves to its new first deadline, or leaves the heap with the queue when it is empty.
   */
  private void settleQueue(TimerQueue queue) {
    // a queue in the map is empty only here, between an expiry's removal and this call
    if (queue.isEmpty()) {
      queues.remove(queue.period);
      queue.scheduled = false;
      queue.generation++;
      heap.removeFirst();
    } else if (queue.firstDeadline() != heap.firstDeadline()) {
      heap.rescheduleFirst(queue.firstDeadline());
    }
  }

  /**
   * Drops stale entries off the top, of the heap and of the first queue, until the heap's first
   * entry is a scheduled timer, or a queue whose first timer is scheduled and whose entry is due at
   * that timer's deadline. With the lock held.
   *
   * @return whether any timer is scheduled
   */
  private boolean settleFirst() {
    while (heap.size() > 0) {
      Scheduled first = heap.first();
      if (first instanceof TimerQueue queue) {
        int dropped = queue.removeStaleFirst();
        if (dropped == 0) {
          return true;
        }
        stale -= dropped;
        settleQueue(queue);
      } else if (first.isCurrent(heap.firstGeneration())) {
        return true;
      } else {
        heap.removeFirst();
        stale--;
      }
    }
    return false;
  }

  /** Rebuilds the queues and the heap without stale entries; with the lock held. */
  private void removeStale() {
    queues.values().removeIf(queue -> {
      queue.removeStale();
      if (queue.isEmpty()) {
        queue.scheduled = false; // and its entry goes with the heap's stale ones
        queue.generation++;
        return true;
      }
      return false;
    });
    heap.removeStale();
    stale = 0;
  }

  /** Starts the pump with the first timer, or wakes the sleeping poll for an earlier deadline. */
  private void startOrWake(long deadline) {
    if (pump == null) {
      pump = new EventPump(threadName, new Source());
    } else if (deadline < sleepingUntil) {
      Thread s = sleeper;
      if (s != null) {
        LockSupport.unpark(s);
      }
    }
  }

  /**
   * The service as a pump's source: a poll fires what is due and, when nothing was, waits for the
   * earliest deadline, its time limit or a {@link #wakeup}. The waiting thread parks without the
   * lock, so that schedulers get it, and {@link #wakeup} takes no lock: it may be called with a
   * kqueue's or a knote list's lock held, which an expiry takes after this service's.
   */
  private final class Source implements EventPump.Source {
    /**
     * Fires the due timers, in batches between which waiting schedulers and cancellers get the
     * lock, until none is due or a {@link #wakeup} asks for the lead (a caller waits for it).
     * Every timer of the service may depend on the thread that polls, so an error of the service's
     * own (a failing clock, an {@code OutOfMemoryError}) is reported to the thread's
     * uncaught-exception handler and the poll returns after a pause instead of failing the thread.
     */
    @Override
    public void poll(long nanos) {
      try {
        fireOrWait(nanos);
      } catch (RuntimeException | Error e) {
        report(e);
        LockSupport.parkNanos(ERROR_PAUSE_NANOS);
      }
    }

    private void fireOrWait(long nanos) {
      lock.lock();
      try {
        long limit = nanos < 0 ? Long.MAX_VALUE : saturatedAdd(now(), nanos);
        while (true) {
          long now = now();
          int fired = fireDue(now, BATCH);
          if (fired == BATCH && !woken) {
            yieldLock(); // more may be due: schedulers and cancellers first
            continue;
          }
          if (fired > 0 || now >= limit || woken || Thread.currentThread().isInterrupted()) {
            woken = false;
            return;
          }
          sleepUntil(settleFirst() ? Math.min(heap.firstDeadline(), limit) : limit, now);
        }
      } finally {
        lock.unlock();
      }
    }

    /** Parks until {@code deadline} (or an earlier one, or a wake-up) without the lock. */
    private void sleepUntil(long deadline, long now) {
      sleepingUntil = deadline;
      sleeper = Thread.currentThread();
      lock.unlock();
      try {
        if (!woken) {
          if (deadline == Long.MAX_VALUE) {
            LockSupport.park(this);
          } else {
            LockSupport.parkNanos(this, deadline - now);
          }
        }
      } finally {
        lock.lock();
        sleeper = null;
        sleepingUntil = Long.MAX_VALUE;
      }
    }

    private void yieldLock() {
      if (lock.hasQueuedThreads()) {
        lock.unlock();
        lock.lock();
      }
    }

    @Override
    public void wakeup() {
      woken = true;
      Thread s = sleeper;
      if (s != null) {
        LockSupport.unpark(s);
      }
    }

    /** Deadlines are in nanoseconds: a caller may lead for any positive wait. */
    @Override
    public long resolutionNanos() {
      return 1;
    }
  }

  private static void report(Throwable e) {
    Thread current = Thread.currentThread();
    current.getUncaughtExceptionHandler().uncaughtException(current, e);
  }

  /**
   * Checks the order of the heap and of the queues, that each scheduled timer has one current
   * entry, that each queue is in the heap once at its first deadline, and that stale entries are
   * counted and do not outnumber scheduled timers (beyond a few); for tests.
   */
  void checkInvariants() {
    lock.lock();
    try {
      heap.checkInvariants();
      Set<Scheduled> current = Collections.newSetFromMap(new IdentityHashMap<>());
      int[] staleSeen = {0};
      EntryVisitor check = (item, deadline, generation) -> {
        if (!item.isCurrent(generation)) {
          staleSeen[0]++;
        } else if (!current.add(item)) {
          throw new IllegalStateException("two current entries of " + item);
        } else if (item instanceof TimerQueue q
            && (queues.get(q.period) != q || q.isEmpty() || q.firstDeadline() != deadline)) {
          throw new IllegalStateException(q + " in the heap at " + deadline);
        }
      };
      heap.forEach(check);
      for (TimerQueue queue : queues.values()) {
        queue.checkInvariants();
        if (!current.contains(queue)) {
          throw new IllegalStateException(queue + " is not in the heap");
        }
        queue.forEach(check);
      }
      if (current.size() - queues.size() != live || staleSeen[0] != stale) {
        throw new IllegalStateException((current.size() - queues.size()) + " timers and "
            + staleSeen[0] + " stale entries, counted " + live + " and " + stale);
      }
      if (stale >= MIN_REMOVE_STALE && stale > live) {
        throw new IllegalStateException(stale + " stale entries beside " + live + " timers");
      }
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
   * One timer: the heap's entry for it holds its deadline. The filter's per-knote entry extends
   * it, so a timer costs one object; the period is asked of the subclass when the timer expires, so
   * it need not be stored twice.
   */
  abstract static class Timer extends Scheduled {

    /**
     * Nanoseconds until the next expiry after one that is due, or 0 for a timer that fires once.
     * Called with the service's lock held; changes while the timer is scheduled are made under it.
     */
    abstract long period();

    /**
     * {@link #period()} for a timer whose current entry is in the queue of period {@code queued}:
     * the filter changes a timer's period only while it is cancelled, so it is still {@code
     * queued}, unless the timer was made to fire once since. A subclass that knows this cheaper
     * than {@link #period()} (which may read a knote) overrides it. With the service's lock held.
     */
    long periodInQueue(long queued) {
      return period();
    }

    /**
     * Called with the service's lock held when the timer expires; {@code count} is the number of
     * periods that elapsed (1 unless the service fell behind). A knote to activate goes through
     * {@code activations}, which may hold a kqueue's lock from one expiry to the next.
     */
    abstract void expired(long count, ActivationBatch activations);

    /** Whether the timer is scheduled; with the lock held. */
    boolean isScheduled() {
      return scheduled;
    }
  }

  /**
   * What an entry of the heap or of a queue is for: a {@link Timer}, or a {@link TimerQueue} in the
   * heap. Guarded by the service's lock.
   */
  abstract static class Scheduled {
    /** Whether it is scheduled. */
    boolean scheduled;
    /**
     * Moves on with every schedule and cancel, so that this item's current entry is told from the
     * stale ones that cancels leave behind.
     */
    int generation;

    /** Whether an entry of {@code entryGeneration} for this item is its current one. */
    final boolean isCurrent(int entryGeneration) {
      return scheduled && generation == entryGeneration;
    }
  }

  /** Sees one entry of the heap or a queue; for checks. */
  interface EntryVisitor {
    void visit(Scheduled item, long deadline, int generation);
  }

  private static final class SystemHolder {
    static final TimerService SERVICE = threaded(TimerClock.system(), "kqueue4j-timer");
  }
}
