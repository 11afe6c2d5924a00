package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one thread that serves every {@link InotifyTree}: an epoll set holding each tree's inotify
 * descriptor (data = the tree's id) and an eventfd (data 0) that wakes it to re-check deadlines.
 * Each readiness is handled under that tree's lock by {@link InotifyTree#onReadable}; pending
 * rename halves are expired by {@link InotifyTree#expireMoves} when their deadline passes.
 */
final class InotifyLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(InotifyLoop.class.getName());
  private static final long WAKE = 0;

  private final Epoll epoll;
  private final EventFd wake;
  private final ConcurrentHashMap<Long, InotifyTree> trees = new ConcurrentHashMap<>();
  private final Set<InotifyTree> timed = ConcurrentHashMap.newKeySet();

  InotifyLoop() throws ErrnoException {
    this.epoll = Epoll.open();
    this.wake = EventFd.open();
    epoll.add(wake.fd(), Epoll.EPOLLIN, WAKE);
    Thread t = new Thread(this, "kqueue4j-fsevent-inotify");
    t.setDaemon(true);
    t.start();
  }

  /** Starts serving {@code tree}; its first events are read at once if some are queued. */
  void register(InotifyTree tree) throws ErrnoException {
    trees.put(tree.id, tree);
    try {
      epoll.add(tree.fd(), Epoll.EPOLLIN, tree.id);
    } catch (ErrnoException e) {
      trees.remove(tree.id);
      throw e;
    }
  }

  /** Stops serving {@code tree}; called with its lock held, before its descriptor is closed. */
  void unregister(InotifyTree tree) {
    if (trees.remove(tree.id) != null) {
      try {
        epoll.delete(tree.fd());
      } catch (ErrnoException e) {
        LOG.log(Level.DEBUG, "epoll_ctl DEL of inotify fd failed", e);
      }
    }
    timed.remove(tree);
  }

  /** {@code tree} holds a rename half until its deadline; wake the loop to wait for it. */
  void schedule(InotifyTree tree) {
    if (timed.add(tree)) {
      try {
        wake.signal();
      } catch (ErrnoException e) {
        LOG.log(Level.WARNING, "eventfd write failed", e);
      }
    }
  }

  @Override
  public void run() {
    EpollEventArray events = new EpollEventArray(64);
    while (true) {
      try {
        int n = epoll.waitEvents(events, timeoutMillis());
        for (int i = 0; i < n; i++) {
          long data = events.data(i);
          if (data == WAKE) {
            wake.drain();
            continue;
          }
          InotifyTree tree = trees.get(data);
          if (tree != null) {
            tree.onReadable();
          }
        }
        if (!timed.isEmpty()) {
          long now = System.nanoTime();
          for (InotifyTree tree : timed) {
            if (tree.expireMoves(now)) {
              timed.remove(tree);
            }
          }
        }
      } catch (Throwable t) { // keep serving the other trees
        LOG.log(Level.ERROR, "inotify event loop", t);
      }
    }
  }

  private int timeoutMillis() {
    if (timed.isEmpty()) {
      return -1;
    }
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    for (InotifyTree tree : timed) {
      next = Math.min(next, tree.moveDeadline());
    }
    long left = next - now;
    return left <= 0 ? 0 : (int) Math.max(1, left / 1_000_000);
  }
}
