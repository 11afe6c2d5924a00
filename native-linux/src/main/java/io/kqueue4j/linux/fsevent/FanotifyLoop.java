package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one thread that serves every {@link FanotifyTree}: an epoll set holding each tree's fanotify
 * descriptor (data = the tree's id) and an eventfd (data 0) that wakes it to re-check the
 * deadlines of move halves waiting for their pair ({@link FanotifyTree#expireMoves}). Each
 * readiness is handled under that tree's lock by {@link FanotifyTree#onReadable}.
 */
final class FanotifyLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(FanotifyLoop.class.getName());
  private static final long WAKE = 0;

  private final Epoll epoll;
  private final EventFd wake;
  private final ConcurrentHashMap<Long, FanotifyTree> trees = new ConcurrentHashMap<>();
  private final Set<FanotifyTree> timed = ConcurrentHashMap.newKeySet();

  FanotifyLoop() throws ErrnoException {
    this.epoll = Epoll.open();
    this.wake = EventFd.open();
    epoll.add(wake.fd(), Epoll.EPOLLIN, WAKE);
    Thread t = new Thread(this, "kqueue4j-fsevent-fanotify");
    t.setDaemon(true);
    t.start();
  }

  /** Starts serving {@code tree}. */
  void register(FanotifyTree tree) throws ErrnoException {
    trees.put(tree.id, tree);
    try {
      epoll.add(tree.fd(), Epoll.EPOLLIN, tree.id);
    } catch (ErrnoException e) {
      trees.remove(tree.id);
      throw e;
    }
  }

  /** Stops serving {@code tree}; called with its lock held, before its descriptor is closed. */
  void unregister(FanotifyTree tree) {
    if (trees.remove(tree.id) != null) {
      try {
        epoll.delete(tree.fd());
      } catch (ErrnoException e) {
        LOG.log(Level.DEBUG, "epoll_ctl DEL of fanotify fd failed", e);
      }
    }
    timed.remove(tree);
  }

  /** {@code tree} holds a move half until its deadline; wake the loop to wait for it. */
  void schedule(FanotifyTree tree) {
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
          FanotifyTree tree = trees.get(data);
          if (tree != null) {
            tree.onReadable();
          }
        }
        if (!timed.isEmpty()) {
          long now = System.nanoTime();
          for (FanotifyTree tree : timed) {
            if (tree.expireMoves(now)) {
              timed.remove(tree);
            }
          }
        }
      } catch (Throwable t) { // keep serving the other trees
        LOG.log(Level.ERROR, "fanotify event loop", t);
      }
    }
  }

  private int timeoutMillis() {
    if (timed.isEmpty()) {
      return -1;
    }
    long next = Long.MAX_VALUE;
    for (FanotifyTree tree : timed) {
      next = Math.min(next, tree.moveDeadline());
    }
    long left = next - System.nanoTime();
    return left <= 0 ? 0 : (int) Math.max(1, left / 1_000_000);
  }
}
