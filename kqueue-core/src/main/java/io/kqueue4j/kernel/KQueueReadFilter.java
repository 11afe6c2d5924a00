package io.kqueue4j.kernel;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code kqread_filtops}: {@code EVFILT_READ} on a kqueue's descriptor; see {@code
 * kqueue_kqfilter} and {@code filt_kqueue}. The knote is readable while the watched kqueue has
 * pending events, with {@code data} their number.
 *
 * <p>Registrations that would make a cycle of kqueues watching each other fail with {@code EINVAL}.
 * The check and the attach happen under one global lock ({@code kq_global}), so two concurrent
 * registrations cannot close a cycle between them.
 */
final class KQueueReadFilter implements FilterOps {
  static final KQueueReadFilter INSTANCE = new KQueueReadFilter();
  private static final ReentrantLock NESTING = new ReentrantLock();

  @Override
  public boolean isFd() {
    return true;
  }

  @Override
  public void attach(KNote kn) throws KQueueException {
    EmulatedKQueue watched = Descriptors.kqueueAt(kn.ident());
    if (watched == null) {
      throw new KQueueException("kevent", Errno.EBADF, "kqueue descriptor " + kn.ident() + " closed");
    }
    NESTING.lock();
    try {
      if (watched == kn.kq || watches(watched, kn.kq)) {
        throw new KQueueException("kevent", Errno.EINVAL,
            "registering kqueue " + kn.ident() + " here would make a cycle of kqueues");
      }
      kn.setHook(watched);
      watched.watchers().add(kn);
    } finally {
      NESTING.unlock();
    }
  }

  /** Whether {@code watcher} already receives, directly or not, the events of {@code watched}. */
  private static boolean watches(EmulatedKQueue watcher, EmulatedKQueue watched) {
    ArrayDeque<EmulatedKQueue> todo = new ArrayDeque<>();
    Set<EmulatedKQueue> seen = new HashSet<>();
    todo.add(watched);
    while (!todo.isEmpty()) {
      EmulatedKQueue kq = todo.poll();
      if (kq == watcher) {
        return true;
      }
      if (seen.add(kq)) {
        kq.forEachWatcher(todo::add);
      }
    }
    return false;
  }

  @Override
  public void detach(KNote kn) {
    ((EmulatedKQueue) kn.hook()).watchers().remove(kn);
  }

  @Override
  public boolean event(KNote kn, long hint) {
    kn.setData(((EmulatedKQueue) kn.hook()).pendingCount());
    return kn.data() > 0;
  }
}
