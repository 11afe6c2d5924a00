package io.kqueue4j.filters.timer;

import io.kqueue4j.filters.timer.TimerService.Timer;
import java.util.Arrays;

/**
 * The scheduled timers of a {@link TimerService}: an indexed 4-ary min-heap by deadline, kept in
 * two parallel arrays, the deadlines in {@code long}s and the timers beside them. A sift compares
 * the four children of a slot in one or two cache lines of deadlines instead of reaching into each
 * child's object, and a 4-ary heap is half as deep as a binary one; each timer records its slot
 * ({@link Timer#index}) so that it can be cancelled in O(log n).
 *
 * <p>Both arrays are paged ({@value #PAGE} slots a page), so that a million timers take a million
 * slots and a few pages more: one array of a million would be a humongous object for G1, rounded up
 * to whole regions, and doubling would leave up to half of it unused.
 *
 * <p>Not thread-safe: the service's lock guards it.
 */
final class TimerHeap {
  private static final int SHIFT = 10;
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  private long[][] deadlines = new long[1][PAGE];
  private Timer[][] timers = new Timer[1][PAGE];
  private int size;

  int size() {
    return size;
  }

  /** The timer with the earliest deadline; the heap must not be empty. */
  Timer first() {
    return timers[0][0];
  }

  /** The earliest deadline; the heap must not be empty. */
  long firstDeadline() {
    return deadlines[0][0];
  }

  /** Adds {@code timer}, which is not in the heap, due at {@code deadline}. */
  void add(Timer timer, long deadline) {
    int page = size >>> SHIFT;
    if (page == timers.length) {
      timers = Arrays.copyOf(timers, page * 2);
      deadlines = Arrays.copyOf(deadlines, page * 2);
    }
    if (timers[page] == null) {
      timers[page] = new Timer[PAGE];
      deadlines[page] = new long[PAGE];
    }
    siftUp(size++, timer, deadline);
  }

  /** Removes {@code timer}, which is in the heap. */
  void remove(Timer timer) {
    int index = timer.index;
    timer.index = -1;
    size--;
    Timer last = timerAt(size);
    long lastDeadline = deadlineAt(size);
    timers[size >>> SHIFT][size & MASK] = null;
    if (index != size && !siftUp(index, last, lastDeadline)) {
      siftDown(index, last, lastDeadline);
    }
    int usedPages = (size >>> SHIFT) + 1;
    if (usedPages + 1 < timers.length && timers[usedPages + 1] != null) {
      // keep one empty page beyond the last used one, so that a size moving to and fro across a
      // page boundary does not allocate each time
      timers[usedPages + 1] = null;
      deadlines[usedPages + 1] = null;
    }
  }

  /** Moves the first timer to {@code deadline}, which is not earlier than its current one. */
  void rescheduleFirst(long deadline) {
    siftDown(0, first(), deadline);
  }

  private Timer timerAt(int index) {
    return timers[index >>> SHIFT][index & MASK];
  }

  private long deadlineAt(int index) {
    return deadlines[index >>> SHIFT][index & MASK];
  }

  /** Places {@code timer} at {@code index} or above it; returns whether it moved up. */
  private boolean siftUp(int index, Timer timer, long deadline) {
    int start = index;
    while (index > 0) {
      int parent = (index - 1) >>> 2;
      long above = deadlineAt(parent);
      if (above <= deadline) {
        break;
      }
      move(parent, index, above);
      index = parent;
    }
    place(index, timer, deadline);
    return index != start;
  }

  /** Places {@code timer} at {@code index} or below it. */
  private void siftDown(int index, Timer timer, long deadline) {
    while (true) {
      int first = 4 * index + 1;
      if (first >= size) {
        break;
      }
      int end = Math.min(first + 4, size);
      int min = first;
      long minDeadline = deadlineAt(first);
      for (int child = first + 1; child < end; child++) {
        long d = deadlineAt(child);
        if (d < minDeadline) {
          min = child;
          minDeadline = d;
        }
      }
      if (deadline <= minDeadline) {
        break;
      }
      move(min, index, minDeadline);
      index = min;
    }
    place(index, timer, deadline);
  }

  private void move(int from, int to, long deadline) {
    place(to, timerAt(from), deadline);
  }

  private void place(int index, Timer timer, long deadline) {
    timers[index >>> SHIFT][index & MASK] = timer;
    deadlines[index >>> SHIFT][index & MASK] = deadline;
    timer.index = index;
  }

  /** Checks the heap order, the indexes and that freed slots hold nothing; for tests. */
  void checkInvariants() {
    for (int i = 0; i < size; i++) {
      if (timerAt(i).index != i) {
        throw new IllegalStateException("index " + timerAt(i).index + " at slot " + i);
      }
      if (i > 0 && deadlineAt((i - 1) >>> 2) > deadlineAt(i)) {
        throw new IllegalStateException("heap order broken at slot " + i);
      }
    }
    for (int i = size; i < timers.length * PAGE; i++) {
      Timer[] page = timers[i >>> SHIFT];
      if (page != null && page[i & MASK] != null) {
        throw new IllegalStateException("stale slot " + i);
      }
    }
  }
}
