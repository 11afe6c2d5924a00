package io.kqueue4j.kernel;

import static io.kqueue4j.kernel.KNoteState.MARKER;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code kq_head}: the FIFO of active knotes, with {@code kq_count}, the number of queued knotes
 * other than markers.
 *
 * <p>FreeBSD's queue is a {@code TAILQ} through the knotes. Here it is a ring of slots: a knote
 * records its slot ({@link KNote#queueSlot}), so that markers are inserted at the tail and knotes
 * removed from the middle in O(1) as in the kernel; a removal empties the slot and the head skips
 * empty slots. The ring, not the knotes, holds the links because of the garbage collector: a
 * knote lives long, and knotes queued one after the other were often made far apart, so linking
 * them wrote references between old objects in different heap regions at every activation, which
 * G1 records as dirty cards and scans again (with 100,000 timers firing ten million times a
 * second, G1's refinement threads took about a quarter of the process's CPU time).
 *
 * <p>A slot holds an int, the knote's id ({@link KNote#queueId}), not a reference: G1's barrier on
 * a reference store into a long-lived array has a fence that every activation paid (8% of the
 * collecting thread's time with those timers). A knote gets its id at its first activation and
 * gives it back when it is dropped ({@link #forget}); a paged table maps ids to knotes, written
 * once per knote. Knotes never activated, as most idle ones, have no id and cost the table
 * nothing.
 *
 * <p>Empty slots are reclaimed when the head passes them, or by compacting the ring when it is
 * full and at least half of it is empty, so the ring has at most twice as many slots as the most
 * knotes ever queued at once (and at least {@value #MIN_CAPACITY}). It does not shrink when the
 * queue drains, so that a queue that fills and drains over and over does not allocate each time.
 *
 * <p>Guarded by the kqueue's lock. {@link #count()} may also be read without it (a watching kqueue,
 * the readiness descriptor): the count is written with release stores and read with acquire loads,
 * so such a reader sees a recent value without the lock's owner paying a full fence per change.
 */
final class ActiveQueue {
  private static final VarHandle COUNT;
  private static final int MIN_CAPACITY = 16;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(ActiveQueue.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int ID_SHIFT = 10;
  private static final int ID_MASK = (1 << ID_SHIFT) - 1;

  /**
   * Slots, a power of two of them; those from {@link #head} to {@link #tail} are in use. A slot
   * holds a knote's id ({@link KNote#queueId}), 0 when empty.
   */
  private int[] ring = new int[MIN_CAPACITY];
  /** The knotes by id, in pages; id 0 is none. */
  private KNote[][] byId = new KNote[1][];
  /** The highest id handed out. */
  private int lastId;
  /** Ids given back by dropped knotes, to hand out again. */
  private int[] freeIds = new int[16];
  private int freeCount;
  /** Position of the first slot in use; positions count up and are masked into the ring. */
  private int head;
  /** Position after the last slot in use. */
  private int tail;
  /** Knotes and markers in the ring. */
  private int linked;
  /** Written only under the lock, through {@link #COUNT}; see the class comment. */
  private int count;

  /** The number of queued knotes; safe without the lock. */
  int count() {
    return (int) COUNT.getAcquire(this);
  }

  /** The knote or marker at the head, or {@code null} when the queue is empty. */
  KNote first() {
    int[] r = ring;
    int mask = r.length - 1;
    while (head != tail) {
      int id = r[head & mask];
      if (id != 0) {
        return knote(id);
      }
      head++;
    }
    return null;
  }

  /** The knote of {@code id}, which is in use. */
  private KNote knote(int id) {
    return byId[id >>> ID_SHIFT][id & ID_MASK];
  }

  /** {@code kn}'s id, given on its first activation. */
  private int idOf(KNote kn) {
    int id = kn.queueId;
    if (id == 0) {
      id = freeCount > 0 ? freeIds[--freeCount] : ++lastId;
      int page = id >>> ID_SHIFT;
      if (page == byId.length) {
        byId = Arrays.copyOf(byId, page * 2);
      }
      if (byId[page] == null) {
        byId[page] = new KNote[1 << ID_SHIFT];
      }
      byId[page][id & ID_MASK] = kn;
      kn.queueId = id;
    }
    return id;
  }

  /** A dropped knote gives its id back, if it has one; it must be in no slot. */
  void forget(KNote kn) {
    int id = kn.queueId;
    if (id != 0) {
      byId[id >>> ID_SHIFT][id & ID_MASK] = null;
      if (freeCount == freeIds.length) {
        freeIds = Arrays.copyOf(freeIds, freeCount * 2);
      }
      freeIds[freeCount++] = id;
      kn.queueId = 0;
    }
  }

  void insertTail(KNote kn) {
    if (tail - head == ring.length) {
      resize(linked * 2 > ring.length ? ring.length * 2 : ring.length);
    }
    int slot = tail & (ring.length - 1);
    ring[slot] = idOf(kn);
    kn.queueSlot = slot;
    tail++;
    linked++;
    if ((kn.status & MARKER) == 0) {
      COUNT.setRelease(this, count + 1);
    }
  }

  /** Whether {@code kn} is in the queue. */
  boolean isLinked(KNote kn) {
    return kn.queueSlot >= 0;
  }

  /** Unlinks {@code kn} without changing the count: the caller decides whether it left the queue. */
  void unlink(KNote kn) {
    ring[kn.queueSlot] = 0;
    kn.queueSlot = -1;
    if (--linked == 0) {
      head = tail = 0;
    }
  }

  /** Uncounts a knote the scan unlinked earlier and is done with. */
  void uncount() {
    COUNT.setRelease(this, count - 1);
  }

  /** Unlinks a queued knote and uncounts it. */
  void remove(KNote kn) {
    unlink(kn);
    if ((kn.status & MARKER) == 0) {
      COUNT.setRelease(this, count - 1);
    }
  }

  /** The highest id handed out so far; for tests, which check that ids are handed out again. */
  int highestId() {
    return lastId;
  }

  /** Passes the knotes and markers in the queue, head first, to {@code action}; for checks. */
  void forEach(Consumer<KNote> action) {
    for (int p = head; p != tail; p++) {
      int id = ring[p & (ring.length - 1)];
      if (id != 0) {
        action.accept(knote(id));
      }
    }
  }

  /** Moves the queue, in order and without empty slots, into a ring of {@code capacity} slots. */
  private void resize(int capacity) {
    int[] to = new int[capacity];
    int n = 0;
    for (int p = head; p != tail; p++) {
      int id = ring[p & (ring.length - 1)];
      if (id != 0) {
        knote(id).queueSlot = n;
        to[n++] = id;
      }
    }
    ring = to;
    head = 0;
    tail = n;
  }
}
