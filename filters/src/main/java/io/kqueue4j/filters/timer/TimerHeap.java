package io.kqueue4j.filters.timer;

import io.kqueue4j.filters.timer.TimerService.Scheduled;
import java.util.Arrays;

/**
 * The entries of a {@link TimerService} that are not in a {@link TimerQueue}, and one entry for
 * each queue: a 4-ary min-heap by deadline. An entry is a deadline, what is scheduled and its
 * generation when the entry was made, kept in three parallel paged arrays.
 *
 * <p>A sift moves entries within the arrays and reads or writes no timer object, so a sift through
 * the levels of a large heap costs no cache miss per level on the timers it passes (a timer that
 * kept the index of its slot was written at every level). Cancelling is lazy instead, as in the Go
 * runtime's timer heap: the service moves the timer's generation on, which leaves its entry stale
 * ({@link Scheduled#isCurrent}); the service drops stale entries when they reach the top, and
 * {@link #removeStale} when there are many.
 *
 * <p>The arrays are paged ({@value #PAGE} slots a page), so that a million entries take a million
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
  private Scheduled[][] items = new Scheduled[1][PAGE];
  private int[][] generations = new int[1][PAGE];
  private int size;

  /** The number of entries, stale ones included. */
  int size() {
    return size;
  }

  /** What the entry with the earliest deadline is for; the heap must not be empty. */
  Scheduled first() {
    return items[0][0];
  }

  /** The earliest deadline; the heap must not be empty. */
  long firstDeadline() {
    return deadlines[0][0];
  }

  /**
   * The earliest deadline but the first entry's (a stale entry's included), {@link Long#MAX_VALUE}
   * when the heap holds one entry; the heap must not be empty.
   */
  long secondDeadline() {
    long second = Long.MAX_VALUE;
    for (int child = 1; child <= 4 && child < size; child++) { // the first entry's children
      second = Math.min(second, deadlineAt(child));
    }
    return second;
  }

  /** The generation of the first entry; the heap must not be empty. */
  int firstGeneration() {
    return generations[0][0];
  }

  /** Adds an entry for {@code item} of {@code generation}, due at {@code deadline}. */
  void add(Scheduled item, long deadline, int generation) {
    int page = size >>> SHIFT;
    if (page == items.length) {
      items = Arrays.copyOf(items, page * 2);
      deadlines = Arrays.copyOf(deadlines, page * 2);
      generations = Arrays.copyOf(generations, page * 2);
    }
    if (items[page] == null) {
      items[page] = new Scheduled[PAGE];
      deadlines[page] = new long[PAGE];
      generations[page] = new int[PAGE];
    }
    siftUp(size++, item, deadline, generation);
  }

  /** Removes the first entry: the last one takes its place and sinks. */
  void removeFirst() {
    int last = --size;
    Scheduled item = itemAt(last);
    long deadline = deadlineAt(last);
    int generation = generationAt(last);
    items[last >>> SHIFT][last & MASK] = null;
    if (last > 0) {
      siftDown(0, item, deadline, generation);
    }
    releaseSparePages();
  }

  /** Moves the first entry to {@code deadline}, which is not earlier than its current one. */
  void rescheduleFirst(long deadline) {
    siftDown(0, first(), deadline, firstGeneration());
  }

  /**
   * Keeps only the current entries, with a queue's entry due at its queue's new first deadline, and
   * makes a heap of them again (Floyd's bottom-up construction, O(n)).
   */
  void removeStale() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      Scheduled item = itemAt(i);
      if (item.isCurrent(generationAt(i))) {
        long deadline = item instanceof TimerQueue q ? q.firstDeadline() : deadlineAt(i);
        set(kept++, item, deadline, generationAt(i));
      }
    }
    for (int i = kept; i < size; i++) {
      items[i >>> SHIFT][i & MASK] = null;
    }
    size = kept;
    for (int i = (kept - 2) >>> 2; kept > 1 && i >= 0; i--) {
      siftDown(i, itemAt(i), deadlineAt(i), generationAt(i));
    }
    releaseSparePages();
  }

  /**
   * Keeps one empty page beyond the last used one, so that a size moving to and fro across a page
   * boundary does not allocate each time, and frees those beyond it.
   */
  private void releaseSparePages() {
    for (int page = (size >>> SHIFT) + 2; page < items.length && items[page] != null; page++) {
      items[page] = null;
      deadlines[page] = null;
      generations[page] = null;
    }
  }

  /** Passes every entry, in slot order, to {@code action}; for checks. */
  void forEach(TimerService.EntryVisitor action) {
    for (int i = 0; i < size; i++) {
      action.visit(itemAt(i), deadlineAt(i), generationAt(i));
    }
  }

  private Scheduled itemAt(int index) {
    return items[index >>> SHIFT][index & MASK];
  }

  private long deadlineAt(int index) {
    return deadlines[index >>> SHIFT][index & MASK];
  }

  private int generationAt(int index) {
    return generations[index >>> SHIFT][index & MASK];
  }

  /** Places the entry at {@code index} or above it. */
  private void siftUp(int index, Scheduled item, long deadline, int generation) {
    while (index > 0) {
      int parent = (index - 1) >>> 2;
      long above = deadlineAt(parent);
      if (above <= deadline) {
        break;
      }
      move(parent, index);
      index = parent;
    }
    set(index, item, deadline, generation);
  }

  /** Places the entry at {@code index} or below it. */
  private void siftDown(int index, Scheduled item, long deadline, int generation) {
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
      move(min, index);
      index = min;
    }
    set(index, item, deadline, generation);
  }

  private void move(int from, int to) {
    set(to, itemAt(from), deadlineAt(from), generationAt(from));
  }

  private void set(int index, Scheduled item, long deadline, int generation) {
    Scheduled[] page = items[index >>> SHIFT];
    if (page[index & MASK] != item) {
      // A queue's entry moved to its next deadline usually stays first: storing the same
      // reference again would cost G1's write barrier, with its fence, on every expiry.
      page[index & MASK] = item;
    }
    deadlines[index >>> SHIFT][index & MASK] = deadline;
    generations[index >>> SHIFT][index & MASK] = generation;
  }

  /** Checks the heap order and that freed slots hold nothing; for tests. */
  void checkInvariants() {
    for (int i = 1; i < size; i++) {
      if (deadlineAt((i - 1) >>> 2) > deadlineAt(i)) {
        throw new IllegalStateException("heap order broken at slot " + i);
      }
    }
    for (int i = size; i < items.length * PAGE; i++) {
      Scheduled[] page = items[i >>> SHIFT];
      if (page != null && page[i & MASK] != null) {
        throw new IllegalStateException("stale slot " + i);
      }
    }
  }
}
