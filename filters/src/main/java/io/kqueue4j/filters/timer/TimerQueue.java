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
  private static final int SHIFT = 10;
  /** Slots per page once the ring has more than one page. */
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  /** The period of every timer in this queue, in nanoseconds. */
  final long period;
  /**
   * The ring's slots in pages, so that a queue of a million timers is no humongous G1 object (one
   * array of a million is rounded up to whole regions); a ring of at most {@value #PAGE} slots is
   * one page of its own size, so that the queue of a period with a single timer stays small.
   */
  private Timer[][] timers = {new Timer[MIN_CAPACITY]};
  private long[][] deadlines = {new long[MIN_CAPACITY]};
  private int[][] generations = {new int[MIN_CAPACITY]};
  /** Slots in the ring, a power of two. */
  private int capacity = MIN_CAPACITY;
  private int head;
  private int size;
  /** The pages of the first entry's slot and of the slot after the last, which expiries use. */
  private Timer[] headTimers;
  private long[] headDeadlines;
  private int[] headGenerations;
  private Timer[] tailTimers;
  private long[] tailDeadlines;
  private int[] tailGenerations;
  /** The deadline of the last entry, when there is one. */
  private long lastDeadline;

  TimerQueue(long period) {
    this.period = period;
    cachePages();
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The first timer; the queue must not be empty. */
  Timer first() {
    return headTimers[head & MASK];
  }

  /** The first deadline; the queue must not be empty. */
  long firstDeadline() {
    return headDeadlines[head & MASK];
  }

  /** The generation of the first entry; the queue must not be empty. */
  int firstGeneration() {
    return headGenerations[head & MASK];
  }

  /** Whether an entry due at {@code deadline} may be appended without breaking the order. */
  boolean accepts(long deadline) {
    return size == 0 || deadline >= lastDeadline;
  }

  /** Appends an entry; {@link #accepts} must be true for its deadline. */
  void append(Timer timer, long deadline, int generation) {
    if (size == capacity) {
      resize(capacity * 2);
    }
    int tail = slot(size);
    tailTimers[tail & MASK] = timer;
    tailDeadlines[tail & MASK] = deadline;
    tailGenerations[tail & MASK] = generation;
    lastDeadline = deadline;
    size++;
    if (((tail + 1) & MASK) == 0 || tail + 1 == capacity) {
      cachePages(); // the next slot is on another page, or the ring wraps
    }
  }

  /** Removes the first entry; the queue must not be empty. */
  void removeFirst() {
    headTimers[head & MASK] = null;
    head = (head + 1) & (capacity - 1);
    size--;
    if (size < capacity / 4 && capacity > MIN_CAPACITY) {
      resize(capacity / 2);
    } else if ((head & MASK) == 0) {
      cachePages(); // the first slot moved to another page, or the ring wrapped
    }
  }

  /**
   * Drops stale entries off the front.
   *
   * @return how many were dropped
   */
  int removeStaleFirst() {
    int dropped = 0;
    while (size > 0 && !first().isCurrent(firstGeneration())) {
      removeFirst();
      dropped++;
    }
    return dropped;
  }

  /** Keeps only the current entries, in their order. */
  void removeStale() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      int from = slot(i);
      Timer timer = timers[from >>> SHIFT][from & MASK];
      int generation = generations[from >>> SHIFT][from & MASK];
      if (timer.isCurrent(generation)) {
        int to = slot(kept++);
        long deadline = deadlines[from >>> SHIFT][from & MASK];
        timers[to >>> SHIFT][to & MASK] = timer;
        deadlines[to >>> SHIFT][to & MASK] = deadline;
        generations[to >>> SHIFT][to & MASK] = generation;
      }
    }
    for (int i = kept; i < size; i++) {
      int at = slot(i);
      timers[at >>> SHIFT][at & MASK] = null;
    }
    size = kept;
    if (size > 0) {
      int last = slot(size - 1);
      lastDeadline = deadlines[last >>> SHIFT][last & MASK];
    }
    int shrunk = capacity;
    while (shrunk > MIN_CAPACITY && size < shrunk / 4) {
      shrunk /= 2;
    }
    if (shrunk != capacity) {
      resize(shrunk);
    } else {
      cachePages();
    }
  }

  /** Points the head and tail page fields at the pages of the first slot and the next free one. */
  private void cachePages() {
    int headPage = head >>> SHIFT;
    headTimers = timers[headPage];
    headDeadlines = deadlines[headPage];
    headGenerations = generations[headPage];
    int tailPage = slot(size) >>> SHIFT;
    tailTimers = timers[tailPage];
    tailDeadlines = deadlines[tailPage];
    tailGenerations = generations[tailPage];
  }

  /** The slot of the {@code i}-th entry from the front. */
  private int slot(int i) {
    return (head + i) & (capacity - 1);
  }

  /** Moves the entries, in order, into a ring of {@code newCapacity} slots starting at slot 0. */
  private void resize(int newCapacity) {
    int pages = Math.max(1, newCapacity >>> SHIFT);
    int pageSize = Math.min(newCapacity, PAGE);
    Timer[][] t = new Timer[pages][pageSize];
    long[][] d = new long[pages][pageSize];
    int[][] g = new int[pages][pageSize];
    for (int i = 0; i < size; i++) {
      int from = slot(i);
      t[i >>> SHIFT][i & MASK] = timers[from >>> SHIFT][from & MASK];
      d[i >>> SHIFT][i & MASK] = deadlines[from >>> SHIFT][from & MASK];
      g[i >>> SHIFT][i & MASK] = generations[from >>> SHIFT][from & MASK];
    }
    timers = t;
    deadlines = d;
    generations = g;
    capacity = newCapacity;
    head = 0;
    cachePages();
  }

  /** Passes every entry, first to last, to {@code action}; for checks. */
  void forEach(TimerService.EntryVisitor action) {
    for (int i = 0; i < size; i++) {
      int at = slot(i);
      action.visit(timers[at >>> SHIFT][at & MASK], deadlines[at >>> SHIFT][at & MASK],
          generations[at >>> SHIFT][at & MASK]);
    }
  }

  /**
   * Checks the order, that freed slots hold nothing, that the ring is not oversized and that the
   * cached pages and last deadline are current; for tests.
   */
  void checkInvariants() {
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      int at = slot(i);
      long deadline = deadlines[at >>> SHIFT][at & MASK];
      if (deadline < previous) {
        throw new IllegalStateException("queue of period " + period + " out of order at " + i);
      }
      previous = deadline;
    }
    for (int i = size; i < capacity; i++) {
      int at = slot(i);
      if (timers[at >>> SHIFT][at & MASK] != null) {
        throw new IllegalStateException("stale slot in the queue of period " + period);
      }
    }
    if (capacity > MIN_CAPACITY && size < capacity / 4) {
      throw new IllegalStateException(size + " entries in a queue of capacity " + capacity);
    }
    if (headTimers != timers[head >>> SHIFT] || tailTimers != timers[slot(size) >>> SHIFT]
        || size > 0 && lastDeadline != deadlines[slot(size - 1) >>> SHIFT][slot(size - 1) & MASK]) {
      throw new IllegalStateException("stale page or last deadline in the queue of period " + period);
    }
  }

  @Override
  public String toString() {
    return "TimerQueue[period=" + period + ", entries=" + size + "]";
  }
}
