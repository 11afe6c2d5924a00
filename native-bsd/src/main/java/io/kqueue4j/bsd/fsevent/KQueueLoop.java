package io.kqueue4j.bsd.fsevent;

import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_ERROR;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The private kqueue of one {@link VnodeFsEventSource} and the one thread that waits on it for every
 * tree the source watches: each watched object is an {@code EVFILT_VNODE} knote with {@code
 * EV_CLEAR}, ident = its descriptor, udata = its {@link Node}. A batch of events is handed to each
 * tree concerned, in order, under that tree's lock.
 *
 * <p>Thread-safe: knotes are added and deleted from any thread (the starting thread, the loop).
 */
final class KQueueLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(KQueueLoop.class.getName());
  private static final int BATCH = 256;
  /**
   * A batch ends after this long without a new event: the two directories of a rename may be
   * posted a little apart (by the emulated kernel's source thread), and both must be in one batch
   * for the rename to be paired.
   */
  static final Duration QUIET = Duration.ofMillis(20);
  /** A batch is handed over after this long at most, however busy the tree. */
  static final Duration MAX_WINDOW = Duration.ofMillis(200);

  final KQueue kq;
  final ObjectOpener opener;
  /** The open trees fed by this loop. */
  final Set<VnodeTree> trees = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean closed;

  KQueueLoop(KQueue kq, ObjectOpener opener, String name) {
    this.kq = kq;
    this.opener = opener;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Registers {@code node}'s knote on its open descriptor. */
  void watch(Node node, int notes) throws KQueueException {
    kq.kevent(
        new KEvent[] {KEvent.of(node.fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, notes, 0, node)},
        null,
        Duration.ZERO);
  }

  /** Deletes {@code node}'s knote and closes its descriptor; does nothing when it has none. */
  void unwatch(Node node) {
    int fd = node.fd;
    if (fd < 0) {
      return;
    }
    node.fd = -1;
    KEvent[] answer = new KEvent[1];
    try {
      kq.kevent(new KEvent[] {KEvent.of(fd, EVFILT_VNODE, EV_DELETE, 0, 0, null)}, answer,
          Duration.ZERO);
    } catch (KQueueException e) {
      // the queue is closed: the knote went with it
    }
    opener.close(fd);
  }

  /**
   * Waits for batches and hands them over until the queue is closed. An {@code Error} or {@code
   * RuntimeException} escaping one tree's handling (its sink's, say) is logged at {@code ERROR} and
   * the loop goes on serving every tree, that one included.
   */
  @Override
  public void run() {
    KEvent[] buf = new KEvent[BATCH];
    while (!closed) {
      List<KEvent> batch = new ArrayList<>();
      try {
        int n = kq.kevent(null, buf, null);
        add(batch, buf, n);
        long end = System.nanoTime() + MAX_WINDOW.toNanos();
        while (n > 0 && batch.size() < 16 * BATCH && System.nanoTime() - end < 0) {
          n = kq.kevent(null, buf, QUIET);
          add(batch, buf, n);
        }
      } catch (KQueueException e) {
        if (closed || e.errno() == Errno.EBADF) {
          return;
        }
        LOG.log(Level.WARNING, "kqueue-vnode: kevent failed; events may be lost", e);
        dispatchLoss();
        continue;
      }
      dispatch(batch);
    }
  }

  private static void add(List<KEvent> batch, KEvent[] buf, int n) {
    for (int i = 0; i < n; i++) {
      if ((buf[i].flags() & EV_ERROR) == 0 && buf[i].udata() instanceof Node) {
        batch.add(buf[i]);
      }
    }
  }

  private void dispatch(List<KEvent> batch) {
    Map<VnodeTree, List<KEvent>> byTree = new LinkedHashMap<>();
    for (KEvent ev : batch) {
      Node node = (Node) ev.udata();
      byTree.computeIfAbsent(node.tree, t -> new ArrayList<>()).add(ev);
    }
    for (Map.Entry<VnodeTree, List<KEvent>> e : byTree.entrySet()) {
      try {
        e.getKey().handle(e.getValue());
      } catch (RuntimeException | Error x) { // keep serving the other trees
        LOG.log(Level.ERROR, "kqueue-vnode: event dispatch failed", x);
      }
    }
  }

  private void dispatchLoss() {
    for (VnodeTree tree : trees) {
      try {
        tree.lost();
      } catch (RuntimeException | Error x) { // keep serving the other trees
        LOG.log(Level.ERROR, "kqueue-vnode: loss report failed", x);
      }
    }
  }

  /** Closes the queue; the thread returns. The trees must have been closed. */
  void close() {
    closed = true;
    kq.close();
  }
}
