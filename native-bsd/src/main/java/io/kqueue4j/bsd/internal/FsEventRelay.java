package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_EOF;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsWatcher;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tells native queues when an {@link FsWatcher} they bridge has records or is revoked. A watcher
 * signals through its {@code EVFILT_FSEVENT} knotes, which live in the emulated kernel; the relay
 * keeps one such knote per watcher ({@code EV_CLEAR}, so it fires once per batch of records and
 * once more, with {@code EV_EOF}, at the revoke) in one private emulated kqueue, and one daemon
 * thread, {@code kqueue4j-fsevent-relay}, started with the first subscription, passes each firing
 * on to the subscribed queues ({@link NativeKQueue#fsEventReady}).
 *
 * <p>Thread-safe. The relay's monitor guards its table; it is never held while a queue is told.
 */
final class FsEventRelay implements Runnable {
  private static final System.Logger LOG = System.getLogger(FsEventRelay.class.getName());
  private static final FsEventRelay INSTANCE = new FsEventRelay();

  /** The queues that bridge one watcher. */
  private static final class Entry {
    final long id;
    final List<NativeKQueue> queues = new CopyOnWriteArrayList<>();

    Entry(long id) {
      this.id = id;
    }
  }

  /** Guarded by this. */
  private final Map<Long, Entry> entries = new HashMap<>();
  /** Guarded by this; null until the first subscription. */
  private KQueue kq;

  static FsEventRelay get() {
    return INSTANCE;
  }

  /**
   * Subscribes {@code queue} to {@code watcher}. A watcher that closed meanwhile is reported to the
   * queue at once (its bridged knote then reports the revoke).
   */
  void subscribe(FsWatcher watcher, NativeKQueue queue) {
    long id = watcher.id();
    boolean now = false;
    synchronized (this) {
      Entry e = entries.get(id);
      if (e == null) {
        e = new Entry(id);
        try {
          queue().kevent(new KEvent[] {KEvent.of(id, EVFILT_FSEVENT, EV_ADD | EV_CLEAR, 0, 0, e)},
              null, Duration.ZERO);
          entries.put(id, e);
        } catch (KQueueException ex) {
          now = true; // EBADF: closed already
        }
      }
      if (!now && !e.queues.contains(queue)) {
        e.queues.add(queue);
      }
    }
    if (now) {
      queue.fsEventReady(id);
    }
  }

  /** Ends {@code queue}'s subscription to watcher {@code id}; the last one removes the knote. */
  void unsubscribe(long id, NativeKQueue queue) {
    synchronized (this) {
      Entry e = entries.get(id);
      if (e == null) {
        return;
      }
      e.queues.remove(queue);
      if (e.queues.isEmpty()) {
        entries.remove(id);
        try {
          kq.kevent(new KEvent[] {KEvent.of(id, EVFILT_FSEVENT, EV_DELETE, 0, 0, null)},
              new KEvent[1], Duration.ZERO);
        } catch (KQueueException ex) {
          // the knote went with the watcher's revoke
        }
      }
    }
  }

  /** The relay's queue, created with its thread on first use. Under this. */
  private KQueue queue() throws KQueueException {
    if (kq == null) {
      kq = KQueue.emulated();
      Thread t = new Thread(this, "kqueue4j-fsevent-relay");
      t.setDaemon(true);
      t.start();
    }
    return kq;
  }

  /**
   * Passes each firing on until the relay's queue is closed. An {@code Error} or {@code
   * RuntimeException} thrown while one queue is told is logged at {@code ERROR} and the relay goes
   * on telling the other queues, and that one of later firings.
   */
  @Override
  public void run() {
    KQueue q;
    synchronized (this) {
      q = kq;
    }
    KEvent[] buf = new KEvent[256];
    while (true) {
      int n;
      try {
        n = q.kevent(null, buf, null);
      } catch (KQueueException e) {
        if (e.errno() == Errno.EBADF) {
          return;
        }
        LOG.log(Level.WARNING, "EVFILT_FSEVENT relay: kevent failed", e);
        continue;
      }
      for (int i = 0; i < n; i++) {
        Entry e = (Entry) buf[i].udata();
        if ((buf[i].flags() & EV_EOF) != 0) {
          synchronized (this) {
            entries.remove(e.id, e); // the knote is gone (oneshot)
          }
        }
        for (NativeKQueue queue : e.queues) {
          try {
            queue.fsEventReady(e.id);
          } catch (RuntimeException | Error x) { // keep serving the other queues and watchers
            LOG.log(Level.ERROR, "EVFILT_FSEVENT relay: a queue could not be told", x);
          }
        }
      }
    }
  }
}
