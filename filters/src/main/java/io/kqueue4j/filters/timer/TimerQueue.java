package io.kqueue4j.filters.timer;

import io.kqueue4j.filters.timer.TimerService.Scheduled;
import io.kqueue4j.filters.timer.TimerService.Timer;

/**
 * The periodic timers of one period, in deadline order: a first-in first-out ring of entries, each
 * a deadline, a timer and its generation (see {@link TimerHeap}).
 *
 * <p>Timers of one period stay in order by themselves: one that expires at its deadline {@code d}
 * is re-armed at {@code d + period}, which is not earlier than the deadline of any timer of that
 * period that expired before it, and a new one is armed at {@code now + period}, which is not
 * earlier than any deadline armed before. So expiring the first and appending it again are O(1)
 * and touch no other timer, where a heap sifts each re-armed deadline down through all its levels
 * (about 60 ns among 100,000 timers, mostly mispredicted branches). The service puts a timer here
 * only when its deadline is not earlier than the last one ({@link #accepts}); the others of the
 * period go to the heap.
 *
 * <p>The queue stands in the service's heap as one entry due at its first deadline. Cancelled
 * timers leave stale entries, dropped lazily as in the heap.
 *
 * <p>Not thread-safe: the service's lock guards it.
 */
final class TimerQueue extends Scheduled {
  private static final int MIN_CAPACITY = 2;

  /** The period of every timer in this queue, in nanoseconds. */
  final long period;
  private Timer[] timers = new Timer[MIN_CAPACITY];
  private long[] deadlines = new long[MIN_CAPACITY];
  private int[] generations = new int[MIN_CAPACITY];
  private int head;
  private int size;

  TimerQueue(long period) {
    this.period = period;
  }

  /** The number of entries, stale ones included. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The first timer; the queue must not be empty. */
  Timer first() {
    return timers[head];
  }

  /** The first deadline; the queue must not be empty. */
  long firstDeadline() {
    return deadlines[head];
  }

  /** The generation of the first entry; the queue must not be empty. */
  int firstGeneration() {
    return generations[head];
  }

  /** Whether an entry due at {@code deadline} may be appended without breaking the order. */
  boolean accepts(long deadline) {
    return size == 0 || deadline >= deadlines[(head + size - 1) & (timers.length - 1)];
  }

  /** Appends an entry; {@link #accepts} must be true for its deadline. */
  void append(Timer timer, long deadline, int generation) {
    if (size == timers.length) {
      resize(size * 2);
    }
    int tail = (head + size) & (timers.length - 1);
    timers[tail] = timer;
    deadlines[tail] = deadline;
    generations[tail] = generation;
    size++;
  }

  /** Removes the first entry; the queue must not be empty. */
  void removeFirst() {
    timers[head] = null;
    head = (head + 1) & (timers.length - 1);
    size--;
    if (size < timers.length / 4 && timers.length > MIN_CAPACITY) {
      resize(timers.length / 2);
    }
  }

  /**
   * Drops stale entries off the front.
   *
   * @return how many were dropped
   */
  int removeStaleFirst() {
    int dropped = 0;
    while (size > 0 && !timers[head].isCurrent(generations[head])) {
      removeFirst();
      dropped++;
    }
    return dropped;
  }

  /** Keeps only the current entries, in their order. */
  void removeStale() {
    int mask = timers.length - 1;
    int kept = 0;
    for (int i = 0; i < size; i++) {
      int from = (head + i) & mask;
      if (timers[from].isCurrent(generations[from])) {
        int to = (head + kept++) & mask;
        timers[to] = timers[from];
        deadlines[to] = deadlines[from];
        generations[to] = generations[from];
      }
    }
    for (int i = kept; i < size; i++) {
      timers[(head + i) & mask] = null;
    }
    size = kept;
    int capacity = timers.length;
    while (capacity > MIN_CAPACITY && size < capacity / 4) {
      capacity /= 2;
    }
    if (capacity != timers.length) {
      resize(capacity);
    }
  }

  /** Moves the entries to arrays of {@code capacity}, a power of two, starting at slot 0. */
  private void resize(int capacity) {
    Timer[] t = new Timer[capacity];
    long[] d = new long[capacity];
    int[] g = new int[capacity];
    int mask = timers.length - 1;
    for (int i = 0; i < size; i++) {
      int from = (head + i) & mask;
      t[i] = timers[from];
      d[i] = deadlines[from];
      g[i] = generations[from];
    }
    timers = t;
    deadlines = d;
    generations = g;
    head = 0;
  }

  /** Passes every entry, first to last, to {@code action}; for checks. */
  void forEach(TimerService.EntryVisitor action) {
    for (int i = 0; i < size; i++) {
      int at = (head + i) & (timers.length - 1);
      action.visit(timers[at], deadlines[at], generations[at]);
    }
  }

  /** Checks the order and that freed slots hold nothing; for tests. */
  void checkInvariants() {
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      long deadline = deadlines[(head + i) & (timers.length - 1)];
      if (deadline < previous) {
        throw new IllegalStateException("queue of period " + period + " out of order at " + i);
      }
      previous = deadline;
    }
    for (int i = size; i < timers.length; i++) {
      if (timers[(head + i) & (timers.length - 1)] != null) {
        throw new IllegalStateException("stale slot in the queue of period " + period);
      }
    }
    if (timers.length > MIN_CAPACITY && size < timers.length / 4) {
      throw new IllegalStateException(size + " entries in a queue of capacity " + timers.length);
    }
  }

  @Override
  public String toString() {
    return "TimerQueue[period=" + period + ", entries=" + size + "]";
  }
}
