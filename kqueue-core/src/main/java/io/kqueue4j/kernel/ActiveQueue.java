package io.kqueue4j.kernel;

import static io.kqueue4j.kernel.KNoteState.MARKER;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@code kq_head}: the FIFO of active knotes, intrusive through {@link KNote#next}/{@link
 * KNote#prev} so that markers can be inserted and knotes removed from the middle in O(1), with
 * {@code kq_count}, the number of queued knotes other than markers.
 *
 * <p>Guarded by the kqueue's lock. {@link #count()} may also be read without it (a watching kqueue,
 * the readiness descriptor): the count is written with release stores and read with acquire loads,
 * so such a reader sees a recent value without the lock's owner paying a full fence per change.
 */
final class ActiveQueue {
  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(ActiveQueue.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private KNote head;
  private KNote tail;
  /** Written only under the lock, through {@link #COUNT}; see the class comment. */
  private int count;

  /** The number of queued knotes; safe without the lock. */
  int count() {
    return (int) COUNT.getAcquire(this);
  }

  KNote first() {
    return head;
  }

  void insertTail(KNote kn) {
    kn.next = null;
    kn.prev = tail;
    if (tail != null) {
      tail.next = kn;
    } else {
      head = kn;
    }
    tail = kn;
    if ((kn.status & MARKER) == 0) {
      COUNT.setRelease(this, count + 1);
    }
  }

  /** Unlinks {@code kn} without changing the count: the caller decides whether it left the queue. */
  void unlink(KNote kn) {
    if (kn.prev != null) {
      kn.prev.next = kn.next;
    } else {
      head = kn.next;
    }
    if (kn.next != null) {
      kn.next.prev = kn.prev;
    } else {
      tail = kn.prev;
    }
    kn.next = null;
    kn.prev = null;
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
}
