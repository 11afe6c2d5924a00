package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;

import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code struct knlist}: the knotes attached to one event source (a pipe, a process, a watched
 * file, a kqueue), and the lock that serializes the source's posts with the kernel's calls into the
 * filter.
 *
 * <p>A source calls {@link #post} ({@code KNOTE}) from any thread when something happens; each
 * knote's {@link FilterOps#event} decides, under this list's lock, whether to activate it. Sources
 * that must update their own state atomically with the check may hold {@link #lock()} around the
 * update and the post.
 *
 * <p>Lock order: a list's lock is taken before any kqueue's lock, never after.
 */
public final class KNoteList {
  private final ReentrantLock lock = new ReentrantLock();
  private KNote head;
  private volatile boolean empty = true;

  /** Creates an empty list, for a source to hold the knotes of one object. */
  public KNoteList() {}

  /** Takes the list's lock; reentrant. */
  public void lock() {
    lock.lock();
  }

  /** Releases the lock taken by {@link #lock()}, once per {@code lock()}. */
  public void unlock() {
    lock.unlock();
  }

  /**
   * Whether no knote is attached; a racy hint for sources deciding whether to post.
   *
   * @return {@code true} when no knote was attached; read without the lock, so possibly stale
   */
  public boolean isEmpty() {
    return empty;
  }

  /**
   * {@code knlist_add}: attaches {@code kn} to this source, typically from {@link FilterOps#attach}.
   *
   * @param kn the knote the caller's filter is attaching, on no list yet
   */
  public void add(KNote kn) {
    lock.lock();
    try {
      Membership m = kn.membership;
      if (m == null) {
        m = new Membership(this);
        kn.membership = m; // with its list set, for a reader of list() that holds no lock
      } else {
        m.list = this;
      }
      m.prev = null;
      m.next = head;
      if (head != null) {
        head.membership.prev = kn;
      }
      head = kn;
      empty = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code knlist_remove}: detaches {@code kn} from this source, from {@link FilterOps#detach} or
   * from {@link FilterOps#event} when the event is final (the knote then counts as detached and
   * {@code detach} is not called). Removing a knote that is not attached does nothing.
   *
   * @param kn a knote attached to this list, or to none
   */
  public void remove(KNote kn) {
    lock.lock();
    try {
      unlink(kn);
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@code kn} is attached here; the caller holds the lock. */
  boolean contains(KNote kn) {
    Membership m = kn.membership;
    return m != null && m.list == this && (m.prev != null || head == kn);
  }

  /** Calls {@code action} with the kqueue of every attached knote, under the list's lock. */
  void forEachOwner(java.util.function.Consumer<EmulatedKQueue> action) {
    lock.lock();
    try {
      for (KNote kn = head; kn != null; kn = kn.membership.next) {
        action.accept(kn.kq);
      }
    } finally {
      lock.unlock();
    }
  }

  private void unlink(KNote kn) {
    Membership m = kn.membership;
    if (m == null || m.list != this || m.prev == null && head != kn) {
      return;
    }
    if (m.prev != null) {
      m.prev.membership.next = m.next;
    } else {
      head = m.next;
    }
    if (m.next != null) {
      m.next.membership.prev = m.prev;
    }
    m.next = null;
    m.prev = null;
    empty = head == null;
  }

  /**
   * {@code KNOTE(list, hint)}: calls {@link FilterOps#event} of every attached knote with {@code
   * hint} and activates those for which it returns {@code true}. Safe from any thread that holds
   * no kqueue's lock. Knotes being dropped are skipped; one whose {@code event} throws is activated,
   * so that the scan's re-check reports the failure if it persists.
   *
   * @param hint passed unchanged to each knote's {@link FilterOps#event}; its meaning is agreed
   *     between the source and its filter, such as the {@code NOTE_*} bits of a vnode change
   */
  public void post(long hint) {
    if (empty) {
      return;
    }
    lock.lock();
    try {
      for (KNote kn = head; kn != null; ) {
        Membership m = kn.membership;
        KNote next = m.next;
        boolean active;
        try {
          active = !m.dropping && kn.ops.event(kn, hint);
        } catch (RuntimeException e) {
          active = true; // the scan re-checks; a filter that still fails is reported there
        }
        if (active) {
          kn.activate();
        }
        kn = next;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The source is going away (a closed descriptor's peer, a removed directory, a closed kqueue):
   * every knote gets {@code EV_EOF | EV_ONESHOT}, is detached and activated, so each reports the
   * end once and then disappears ({@code knlist_clear} followed by a final post).
   *
   * @param fflags bits to add to each knote's fflags, such as {@code NOTE_REVOKE}, or 0
   */
  public void revoke(int fflags) {
    lock.lock();
    try {
      while (head != null) {
        KNote kn = head;
        if (kn.membership.dropping) {
          unlink(kn);
          continue;
        }
        unlink(kn);
        kn.addFlags(EV_EOF | EV_ONESHOT);
        kn.addFflags(fflags);
        kn.activate();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A knote's links on a list and its dropping mark, apart from the knote so that knotes of sources
   * without lists do not carry them; guarded by the list's lock. A knote keeps its membership, and
   * so {@link #list}, after it is removed.
   */
  static final class Membership {
    KNoteList list;
    KNote next;
    KNote prev;
    /** Set when the kernel starts dropping the knote: posts skip it. */
    boolean dropping;

    Membership(KNoteList list) {
      this.list = list;
    }
  }
}
