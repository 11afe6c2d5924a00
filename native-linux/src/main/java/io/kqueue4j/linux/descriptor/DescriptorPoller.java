package io.kqueue4j.linux.descriptor;

import io.kqueue4j.linux.Epoll;
import io.kqueue4j.linux.EpollEventArray;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.linux.ErrnoException;
import io.kqueue4j.linux.EventFd;
import io.kqueue4j.linux.Inotify;
import io.kqueue4j.linux.InotifyEvent;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The one epoll instance that feeds {@code EVFILT_READ}/{@code EVFILT_WRITE} of every descriptor in
 * every emulated kqueue of the process, polled through one {@link EventPump}: by the thread waiting
 * in {@code kevent} when it can lead the pump, else by the pump's thread ({@code kqueue4j-epoll}).
 *
 * <p>Descriptors are registered edge-triggered ({@code EPOLLET}): epoll reports each change of
 * readiness once, the thread posts it to the descriptor's knote lists, and the kernel's own
 * level-triggered re-checks (a fresh probe before every delivery) do the rest, so a descriptor with
 * unread data costs nothing while nobody asks. Regular files, which epoll refuses, are watched
 * through one inotify instance ({@code IN_MODIFY}) registered in the same epoll.
 *
 * <p>Each registration is tagged with a slot number and a generation in {@code epoll_event.data}:
 * an event that arrives after its watch was closed, or after the slot was reused, is recognised
 * and dropped.
 *
 * <p>Watches whose write side waits for a {@code NOTE_LOWAT} mark that Linux will not report
 * ({@link #recheckWrite}) are posted again every {@link #RECHECK_NANOS}: while any waits, {@link
 * #poll} waits no longer than until the next round, and may therefore return before its time
 * without events, as after a {@link #wakeup()}.
 *
 * <p>Thread-safe; {@link #poll} is called by one thread at a time, the pump's leader. The pump's
 * thread is a daemon and lives as long as the process.
 */
final class DescriptorPoller implements EventPump.Source {
  private static final System.Logger LOG = System.getLogger(DescriptorPoller.class.getName());
  /** The tag of the inotify descriptor: no slot has this generation and number. */
  private static final long INOTIFY_TAG = -1L;
  /** The tag of the eventfd that {@link #wakeup()} signals. */
  private static final long WAKEUP_TAG = -2L;
  /** Marks a hint as coming from this thread; the low 32 bits are epoll's revents. */
  static final long HINT = 1L << 40;
  /** The hint of a {@code NOTE_LOWAT} re-check: no revents, so the probe polls afresh. */
  static final long RECHECK = 1L << 41;
  /** How often watches waiting for write space beyond Linux's own mark are posted again: 10 ms. */
  static final long RECHECK_NANOS = 10_000_000;

  private static DescriptorPoller instance;

  private final Epoll epoll;
  private final EventFd wakeup;
  private final EventPump pump;
  private final EpollEventArray events = new EpollEventArray(512);
  private final Object lock = new Object();
  /** The watch in each slot; replaced (grown) under {@link #lock}, read by the thread. */
  private volatile AtomicReferenceArray<LinuxWatch> slots = new AtomicReferenceArray<>(64);
  /** Guarded by {@link #lock}. */
  private int[] generations = new int[64];
  private int[] free = new int[64];
  private int freeCount;
  private int used;
  private Inotify inotify;
  private final Map<Integer, LinuxWatch[]> byWatchDescriptor = new HashMap<>();
  /** Guarded by itself: the watches of the next re-check round, and when it is due. */
  private final Set<LinuxWatch> rechecks = new LinkedHashSet<>();
  private long recheckDue;
  /** Whether {@link #rechecks} holds a watch: read by every poll without the lock. */
  private volatile boolean rechecking;
  /** The thread in {@link #poll}, which need not wake itself for a re-check. */
  private volatile Thread polling;
  /** Re-check rounds run so far; written by the polling thread only. */
  private volatile long recheckRounds;

  private DescriptorPoller(Epoll epoll, EventFd wakeup) throws ErrnoException {
    this.epoll = epoll;
    this.wakeup = wakeup;
    epoll.add(wakeup.fd(), Epoll.EPOLLIN, WAKEUP_TAG);
    this.pump = new EventPump("kqueue4j-epoll", this);
  }

  /** The process's poller, started on first use. */
  static synchronized DescriptorPoller get() throws ErrnoException {
    if (instance == null) {
      Epoll epoll = Epoll.open();
      try {
        instance = new DescriptorPoller(epoll, EventFd.open());
      } catch (ErrnoException | RuntimeException e) {
        epoll.close();
        throw e;
      }
    }
    return instance;
  }

  /** The pump through which kqueues with descriptor knotes poll this epoll instance. */
  EventPump pump() {
    return pump;
  }

  // ---------------------------------------------------------------- registrations

  /** Gives {@code watch} a slot and returns its tag for {@code epoll_event.data}. */
  long allocate(LinuxWatch watch) {
    synchronized (lock) {
      int slot;
      if (freeCount > 0) {
        slot = free[--freeCount];
      } else {
        slot = used++;
        if (slot == generations.length) {
          generations = Arrays.copyOf(generations, slot * 2);
          free = Arrays.copyOf(free, slot * 2);
          AtomicReferenceArray<LinuxWatch> old = slots;
          AtomicReferenceArray<LinuxWatch> grown = new AtomicReferenceArray<>(slot * 2);
          for (int i = 0; i < slot; i++) {
            grown.set(i, old.get(i));
          }
          slots = grown;
        }
      }
      slots.set(slot, watch);
      return ((long) generations[slot] << 32) | slot;
    }
  }

  /** Frees the slot of {@code tag}; later events carrying it are dropped. */
  void release(long tag) {
    int slot = (int) tag;
    synchronized (lock) {
      if (generations[slot] != (int) (tag >>> 32)) {
        return;
      }
      generations[slot]++;
      slots.set(slot, null);
      free[freeCount++] = slot;
    }
  }

  Epoll epoll() {
    return epoll;
  }

  /**
   * Watches the file behind {@code fd} with inotify ({@code mask}) for {@code watch}; returns the
   * watch descriptor.
   */
  int watchFile(LinuxWatch watch, int fd, int mask) throws ErrnoException {
    synchronized (lock) {
      if (inotify == null) {
        Inotify opened = Inotify.open();
        epoll.add(opened.fd(), Epoll.EPOLLIN, INOTIFY_TAG);
        inotify = opened;
      }
      // The magic link reaches the open file even when it was renamed or unlinked.
      int wd = inotify.addWatch(Path.of("/proc/self/fd/" + fd), mask | Inotify.IN_MASK_ADD);
      LinuxWatch[] watchers = byWatchDescriptor.get(wd);
      if (watchers == null) {
        byWatchDescriptor.put(wd, new LinuxWatch[] {watch});
      } else {
        LinuxWatch[] grown = Arrays.copyOf(watchers, watchers.length + 1);
        grown[watchers.length] = watch;
        byWatchDescriptor.put(wd, grown);
      }
      return wd;
    }
  }

  /** Undoes {@link #watchFile}; removes the inotify watch with its last user. */
  void unwatchFile(LinuxWatch watch, int wd) {
    synchronized (lock) {
      LinuxWatch[] watchers = byWatchDescriptor.get(wd);
      if (watchers == null) {
        return;
      }
      List<LinuxWatch> rest = new ArrayList<>(Arrays.asList(watchers));
      rest.remove(watch);
      if (!rest.isEmpty()) {
        byWatchDescriptor.put(wd, rest.toArray(new LinuxWatch[0]));
        return;
      }
      byWatchDescriptor.remove(wd);
      try {
        inotify.removeWatch(wd);
      } catch (ErrnoException e) {
        // EINVAL: the inode is gone and the kernel removed the watch already
      }
    }
  }

  // ---------------------------------------------------------------- NOTE_LOWAT re-checks

  /**
   * Posts {@code watch}'s write side again within {@link #RECHECK_NANOS}: Linux reports new send
   * space only after the socket was full, so a mark above its own is not reported. Any thread.
   */
  void recheckWrite(LinuxWatch watch) {
    boolean first;
    synchronized (rechecks) {
      first = rechecks.isEmpty();
      if (!rechecks.add(watch)) {
        return;
      }
      if (first) {
        recheckDue = System.nanoTime() + RECHECK_NANOS;
        rechecking = true;
      }
    }
    if (first && polling != Thread.currentThread()) {
      wakeup(); // a poll in progress may wait without a limit
    }
  }

  /** How many {@code NOTE_LOWAT} re-check rounds have run: to tell whether they go on. */
  long recheckRounds() {
    return recheckRounds;
  }

  /** Forgets {@code watch}'s pending re-check. */
  void cancelRecheck(LinuxWatch watch) {
    if (!rechecking) {
      return;
    }
    synchronized (rechecks) {
      rechecks.remove(watch);
      rechecking = !rechecks.isEmpty();
    }
  }

  /** The epoll_wait timeout: {@code nanos}, shortened to the next re-check round if one waits. */
  private int timeout(long nanos) {
    int millis = EventPump.toMillis(nanos);
    if (!rechecking) {
      return millis;
    }
    long due;
    synchronized (rechecks) {
      due = recheckDue;
    }
    long left = Math.max(0, due - System.nanoTime());
    int roundMillis = (int) ((left + 999_999) / 1_000_000); // up: not before it is due
    return millis < 0 ? roundMillis : Math.min(millis, roundMillis);
  }

  /** Posts the write side of every watch of a round that is due; they re-enter when still short. */
  private void runRechecks() {
    if (!rechecking) {
      return;
    }
    LinuxWatch[] due;
    synchronized (rechecks) {
      if (rechecks.isEmpty() || System.nanoTime() - recheckDue < 0) {
        return;
      }
      due = rechecks.toArray(new LinuxWatch[0]);
      rechecks.clear();
      rechecking = false;
    }
    recheckRounds++; // one polling thread at a time
    for (LinuxWatch watch : due) { // outside the lock: posting takes knote list locks
      watch.recheckWrite();
    }
  }

  // ---------------------------------------------------------------- the pump's source

  @Override
  public void poll(long nanos) {
    polling = Thread.currentThread();
    try {
      pollEvents(nanos);
      runRechecks();
    } finally {
      polling = null;
    }
  }

  private void pollEvents(long nanos) {
    int n;
    try {
      n = epoll.waitEvents(events, timeout(nanos));
    } catch (ErrnoException e) {
      // epoll_wait fails only for a bad epoll descriptor or event array: nothing to retry
      throw new IllegalStateException("epoll_wait failed; descriptor events stop", e);
    }
    for (int i = 0; i < n; i++) {
      long tag = events.data(i);
      int revents = events.events(i);
      try {
        if (tag == WAKEUP_TAG) {
          wakeup.drain();
        } else if (tag == INOTIFY_TAG) {
          drainInotify();
        } else {
          dispatch(tag, revents);
        }
      } catch (ErrnoException | RuntimeException | Error e) {
        LOG.log(Level.ERROR, "descriptor event handler failed", e);
      }
    }
  }

  @Override
  public void wakeup() {
    try {
      wakeup.signal();
    } catch (ErrnoException e) {
      throw new IllegalStateException("cannot wake the epoll leader", e);
    }
  }

  private void dispatch(long tag, int revents) {
    int slot = (int) tag;
    AtomicReferenceArray<LinuxWatch> current = slots;
    if (slot < 0 || slot >= current.length()) {
      return;
    }
    LinuxWatch watch = current.get(slot);
    if (watch != null && watch.tag() == tag) {
      watch.fire(revents);
    }
  }

  private void drainInotify() {
    Set<LinuxWatch> touched = new LinkedHashSet<>();
    boolean[] overflow = {false};
    synchronized (lock) {
      if (inotify == null) {
        return;
      }
      try {
        while (inotify.read(event -> collect(event, touched, overflow)) > 0) {
          // keep reading until the queue is empty
        }
      } catch (ErrnoException e) {
        LOG.log(Level.WARNING, "inotify read failed", e);
      }
      if (overflow[0]) {
        for (LinuxWatch[] watchers : byWatchDescriptor.values()) {
          touched.addAll(Arrays.asList(watchers));
        }
      }
    }
    for (LinuxWatch watch : touched) { // outside the lock: posting takes knote list locks
      watch.fileChanged();
    }
  }

  /** Called under {@link #lock} by {@link Inotify#read}. */
  private void collect(InotifyEvent event, Set<LinuxWatch> touched, boolean[] overflow) {
    if (event.is(Inotify.IN_Q_OVERFLOW)) {
      overflow[0] = true;
      return;
    }
    LinuxWatch[] watchers = byWatchDescriptor.get(event.wd());
    if (watchers == null) {
      return;
    }
    touched.addAll(Arrays.asList(watchers));
    if (event.is(Inotify.IN_IGNORED)) {
      byWatchDescriptor.remove(event.wd());
    }
  }
}
