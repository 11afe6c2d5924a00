package io.kqueue4j.linux.fsevent;

import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one thread that serves every {@link FsEventTree} of one source: an epoll set holding each
 * tree's notification descriptor (data = the tree's id) and an eventfd (data 0) that wakes it to
 * re-check the deadlines of move halves waiting for their pair ({@link FsEventTree#expireMoves}).
 * Each readiness is handled under that tree's lock by {@link FsEventTree#onReadable}. The epoll set
 * is level-triggered, so a tree whose events were queued before {@link #register} is read at once.
 *
 * <p>Threads: {@link #register}, {@link #unregister} and {@link #schedule} may be called from any
 * thread; everything else runs on the loop's own daemon thread.
 */
final class FsEventLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(FsEventLoop.class.getName());
  private static final long WAKE = 0;

  private final String kind;
  private final Epoll epoll;
  private final EventFd wake;
  private final ConcurrentHashMap<Long, FsEventTree<?>> trees = new ConcurrentHashMap<>();
  private final Set<FsEventTree<?>> timed = ConcurrentHashMap.newKeySet();

  /**
   * Opens the epoll set and starts the thread {@code "kqueue4j-fsevent-" + kind}.
   *
   * @param kind what the trees read ({@code "inotify"}, {@code "fanotify"}), for the thread's name
   *     and the log
   * @throws ErrnoException when the epoll set or the eventfd cannot be opened
   */
  FsEventLoop(String kind) throws ErrnoException {
    this.kind = kind;
    this.epoll = Epoll.open();
    this.wake = EventFd.open();
    epoll.add(wake.fd(), Epoll.EPOLLIN, WAKE);
    Thread t = new Thread(this, "kqueue4j-fsevent-" + kind);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Starts serving a tree; its first events are read at once if some are queued.
   *
   * @param tree the tree, its descriptor open
   * @throws ErrnoException when its descriptor cannot join the epoll set
   */
  void register(FsEventTree<?> tree) throws ErrnoException {
    trees.put(tree.id, tree);
    try {
      epoll.add(tree.fd(), Epoll.EPOLLIN, tree.id);
    } catch (ErrnoException e) {
      trees.remove(tree.id);
      throw e;
    }
  }

  /**
   * Stops serving a tree; called with its lock held, before its descriptor is closed.
   *
   * @param tree the tree
   */
  void unregister(FsEventTree<?> tree) {
    if (trees.remove(tree.id) != null) {
      try {
        epoll.delete(tree.fd());
      } catch (ErrnoException e) {
        LOG.log(Level.DEBUG, "epoll_ctl DEL of " + kind + " fd failed", e);
      }
    }
    timed.remove(tree);
  }

  /**
   * Wakes the loop to wait for the deadline of a tree's move halves.
   *
   * @param tree a tree holding a move half until its {@link FsEventTree#moveDeadline}
   */
  void schedule(FsEventTree<?> tree) {
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
          FsEventTree<?> tree = trees.get(data);
          if (tree != null) {
            tree.onReadable();
          }
        }
        if (!timed.isEmpty()) {
          long now = System.nanoTime();
          for (FsEventTree<?> tree : timed) {
            if (tree.expireMoves(now)) {
              timed.remove(tree);
            }
          }
        }
      } catch (Throwable t) { // keep serving the other trees
        LOG.log(Level.ERROR, kind + " event loop", t);
      }
    }
  }

  private int timeoutMillis() {
    if (timed.isEmpty()) {
      return -1;
    }
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    for (FsEventTree<?> tree : timed) {
      next = Math.min(next, tree.moveDeadline);
    }
    long left = next - now;
    return left <= 0 ? 0 : (int) Math.max(1, left / 1_000_000);
  }
}
