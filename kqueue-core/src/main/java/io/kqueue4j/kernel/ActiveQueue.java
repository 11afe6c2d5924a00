package io.kqueue4j.kernel;

import static io.kqueue4j.kernel.KNoteState.MARKER;

/**
 * {@code kq_head}: the FIFO of active knotes, intrusive through {@link KNote#next}/{@link
 * KNote#prev} so that markers can be inserted and knotes removed from the middle in O(1), with
 * {@code kq_count}, the number of queued knotes other than markers. Guarded by the kqueue's lock;
 * {@link #count()} may be read without it.
 */
final class ActiveQueue {
  private KNote head;
  private KNote tail;
  private volatile int count;

  int count() {
    return count;
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
      count++;
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

  /** Puts back a knote the scan unlinked and still counts as queued. */
  void relink(KNote kn) {
    count--;
    insertTail(kn);
  }

  void uncount() {
    count--;
  }

  /** Unlinks a queued knote and uncounts it. */
  void remove(KNote kn) {
    unlink(kn);
    if ((kn.status & MARKER) == 0) {
      count--;
    }
  }
}
