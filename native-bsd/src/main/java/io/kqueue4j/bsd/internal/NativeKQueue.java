package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_FSEVENT;
import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.KEvent.NOTE_REVOKE;
import static io.kqueue4j.KEvent.NOTE_TRIGGER;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.filters.fsevent.FsWatcher;
import io.kqueue4j.spi.InterruptHook;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A {@link KQueue} that passes straight through to the OS's {@code kqueue(2)} and {@code
 * kevent(2)} (or libkqueue's), through {@link KernelCalls} and one {@link KeventLayout}.
 *
 * <p><b>A call.</b> Changes are translated to the OS's constants and encoded into the thread's
 * off-heap change array ({@link Scratch}); changes with filter 0 are skipped, as FreeBSD skips
 * them. A call with changes applies them in one {@code kevent} with a zero timeout, under {@link
 * #lock}, so that the kernel's order of changes is the order in which {@link #tokens} learns their
 * outcome; error and receipt entries are matched back to their changes in order. When that step
 * stored nothing and the caller asked to wait, a second {@code kevent} without changes waits,
 * without the lock. C would do both in one call; the split is not observable.
 *
 * <p><b>Waking waiters.</b> Each queue registers one {@code EVFILT_USER} knote of its own, ident
 * {@link #WAKE_IDENT}, which callers cannot name (a change on it fails with {@code EINVAL}) and
 * whose events are never returned. It is level-triggered: once triggered, every scan sees it until
 * it is reset, so every waiter wakes. {@link #close()} triggers it for good; {@link
 * Thread#interrupt()} of a waiting thread triggers it through {@link InterruptHook}, and it is
 * reset (deleted and added again) as soon as no registered waiter is interrupted. A waiter that
 * wakes for another thread's interrupt waits in Java, not in a spin, until that thread has left
 * the kernel, then waits again.
 *
 * <p><b>Closing.</b> The descriptor is closed when the last call that uses it has returned: a
 * count of users, one of them the queue itself until {@link #close()}, guards it against reuse of
 * the number by another open while a thread is still inside {@code kevent}.
 *
 * <p><b>EVFILT_FSEVENT.</b> No kernel has it: a change on a watcher becomes an {@code
 * EVFILT_USER} change in a reserved ident range, which the relay triggers when the watcher has
 * records, and deliveries are translated back with the emulated filter's meaning; see {@link
 * FsEventBridge}. {@code EVFILT_USER} changes that name that range fail with {@code EINVAL}, as the
 * wake-up ident does.
 *
 * <p><b>udata.</b> See {@link UdataTokens} for the rules that keep tokens leak-free.
 */
public final class NativeKQueue implements KQueue {
  /** The ident of the wake-up knote: {@code (uintptr_t) -1}. */
  public static final long WAKE_IDENT = -1L;
  /**
   * The ident of a descriptor filter's change sent so that the kernel answers {@code EBADF} in its
   * place: {@code (uintptr_t) -2}, above {@code INT_MAX}, never a descriptor.
   */
  static final long BAD_DESCRIPTOR_IDENT = -2L;

  static final byte KIND_SET = 0;
  static final byte KIND_SET_ADD = 1;
  static final byte KIND_KEEP = 2;
  static final byte KIND_DELETE = 3;
  static final byte KIND_ADD_DELETE_EXISTING = 4;
  static final byte KIND_ADD_DELETE_NEW = 5;
  static final byte KIND_REFUSED = 6;

  /** At most this many events are asked of one scan (the caller may offer more room). */
  private static final int MAX_SCAN = 4096;
  private static final int OUTCOME_UNKNOWN = -1;

  private final KernelCalls calls;
  private final KeventLayout layout;
  private final Dialect dialect;
  private final int kq;
  private final int osUser;
  /** Guards {@link #tokens} and {@link #waiters}; held across every change step. */
  private final ReentrantLock lock = new ReentrantLock();
  private final UdataTokens tokens = new UdataTokens();
  private Thread[] waiters = new Thread[4];
  private int waiterCount;
  /** Signalled when a waiter leaves the kernel. */
  private final Condition waiterLeft = lock.newCondition();
  /** Set by {@link #deliver} when the wake-up knote's event was among those scanned. */
  private boolean wakeSeen;
  /** Calls using {@link #kq}, plus one for the open queue. The last one out closes it. */
  private final AtomicInteger users = new AtomicInteger(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  /** One wake-up change and a zero timeout; guarded by itself. */
  private final ByteBuffer wake;
  private final long wakeAddress;
  private final InterruptHook hook;
  /** The bridged {@code EVFILT_FSEVENT} knotes; guarded by {@link #lock}. */
  private final FsEventBridge fsevents = new FsEventBridge();
  /** Changes to apply after a scan's deliveries (re-trigger, disable, delete); under the lock. */
  private long[] followUps = new long[8];
  private int followUpCount;

  private NativeKQueue(KernelCalls calls, KeventLayout layout, int kq) {
    this.calls = calls;
    this.layout = layout;
    this.dialect = layout.dialect();
    this.kq = kq;
    this.osUser = dialect.filterToOs(EVFILT_USER);
    this.wake = ByteBuffer.allocateDirect(3 * layout.size() + KeventLayout.TIMESPEC_SIZE)
        .order(ByteOrder.nativeOrder());
    this.wakeAddress = Pointer.wrap(Runtime.getSystemRuntime(), wake).address();
    this.hook = new InterruptHook(this::wakeFromInterrupt);
  }

  /**
   * {@code kqueue(2)} through {@code calls}, in {@code layout}'s shape, with the wake-up knote
   * registered.
   *
   * @throws KQueueException with the OS's errno (translated) when {@code kqueue} fails, or when the
   *     kernel refuses {@code EVFILT_USER}, which this backend needs
   */
  public static NativeKQueue open(KernelCalls calls, KeventLayout layout) throws KQueueException {
    int fd = calls.kqueue();
    if (fd < 0) {
      throw new KQueueException("kqueue", layout.dialect().errnoFromOs(calls.errno()), null);
    }
    NativeKQueue queue = new NativeKQueue(calls, layout, fd);
    int rc;
    synchronized (queue.wake) {
      queue.putWake(0, EV_ADD, 0);
      rc = queue.submitWake(1);
    }
    if (rc < 0) {
      int errno = layout.dialect().errnoFromOs(calls.errno());
      calls.close(fd);
      throw new KQueueException("kevent", errno,
          "registering the wake-up EVFILT_USER knote failed; the native backend needs EVFILT_USER");
    }
    return queue;
  }

  /** The layout this queue speaks. */
  public KeventLayout layout() {
    return layout;
  }

  @Override
  public String backend() {
    return "native " + layout.id() + " (" + calls.name() + ")";
  }

  @Override
  public int fd() throws KQueueException {
    if (closed) {
      throw closedError();
    }
    return kq;
  }

  // ---------------------------------------------------------------- kevent

  @Override
  public int kevent(KEvent[] changelist, int nchanges, KEvent[] eventlist, int nevents,
      Duration timeout) throws KQueueException {
    checkCount("nchanges", nchanges, changelist == null ? 0 : changelist.length);
    checkCount("nevents", nevents, eventlist == null ? 0 : eventlist.length);
    return kevent0(changelist, null, nchanges, eventlist, null, nevents, toNanos(timeout));
  }

  @Override
  public int kevent(KEventBuffer changes, KEventBuffer events, long timeoutNanos)
      throws KQueueException {
    int n = kevent0(null, changes, changes == null ? 0 : changes.size(), null, events,
        events == null ? 0 : events.capacity(), timeoutNanos < 0 ? -1 : timeoutNanos);
    if (events != null) {
      events.setSize(n);
    }
    return n;
  }

  private int kevent0(KEvent[] chArr, KEventBuffer chBuf, int nchanges, KEvent[] evArr,
      KEventBuffer evBuf, int nevents, long nanos) throws KQueueException {
    acquire();
    try {
      Scratch s = Scratch.get();
      if (nchanges > 0) {
        int n = applyChanges(s, chArr, chBuf, nchanges, evArr, evBuf, nevents);
        if (n != 0 || nevents == 0 || nanos == 0) {
          return n;
        }
      }
      if (nevents == 0) {
        return 0;
      }
      return scan(s, evArr, evBuf, Math.min(nevents, MAX_SCAN), nanos);
    } finally {
      release();
    }
  }

  // ---------------------------------------------------------------- the change step

  /** Applies the changes (and polls, when there is room); returns the entries stored. */
  private int applyChanges(Scratch s, KEvent[] chArr, KEventBuffer chBuf, int nchanges,
      KEvent[] evArr, KEventBuffer evBuf, int nevents) throws KQueueException {
    int size = layout.size();
    if ((long) nchanges * size > Integer.MAX_VALUE) {
      throw new KQueueException("kevent", Errno.EINVAL, "nchanges " + nchanges + " is too large");
    }
    lock.lock();
    try {
      if (closed) {
        throw closedError();
      }
      s.ensureChanges(nchanges * size, nchanges);
      int k = encodeChanges(s, chArr, chBuf, nchanges);
      if (k == 0) {
        return 0;
      }
      int room = Math.min(nevents, Math.max(k, MAX_SCAN)); // room for every change's entry is kept
      s.ensureEvents(room * size, room);
      int marked = Math.min(room, k);
      for (int j = 0; j < marked; j++) {
        layout.clearFlags(s.events, j); // so that stale entries are never taken for answers
      }
      KeventLayout.writeTimespec(s.timespec, 0, 0);
      int rc = calls.kevent(kq, s.changesAddress, k, room == 0 ? 0 : s.eventsAddress, room,
          s.timespecAddress);
      if (rc < 0) {
        int errno = dialect.errnoFromOs(calls.errno());
        int answered = matchAnswers(s, marked, k);
        int failed = -1;
        int last = answered == 0 ? -1 : s.answers[answered - 1];
        for (int c = 0; c < k; c++) {
          s.outcome[c] = c <= last ? 0 : OUTCOME_UNKNOWN;
        }
        for (int j = 0; j < answered; j++) {
          s.outcome[s.answers[j]] = dialect.errnoFromOs((int) layout.data(s.events, j));
        }
        if (last + 2 == k) {
          failed = k - 1; // one change left unanswered: it is the one that failed
          s.outcome[failed] = errno;
        }
        settleTokens(s, k);
        settleBridge(s, k, chArr, chBuf);
        storeAnswers(s, answered, chArr, chBuf, evArr, evBuf);
        if (closed) {
          throw closedError();
        }
        throw new KQueueException("kevent", errno, failed >= 0
            ? KEvent.filterName(s.filter[failed]) + " ident " + layout.ident(s.changes, failed)
            : null);
      }
      if (rc > 0 && matchAnswers(s, Math.min(rc, marked), k) == rc) {
        for (int c = 0; c < k; c++) {
          s.outcome[c] = 0;
        }
        for (int j = 0; j < rc; j++) {
          s.outcome[s.answers[j]] = dialect.errnoFromOs((int) layout.data(s.events, j));
        }
        settleTokens(s, k);
        settleBridge(s, k, chArr, chBuf);
        storeAnswers(s, rc, chArr, chBuf, evArr, evBuf);
        return rc;
      }
      for (int c = 0; c < k; c++) {
        s.outcome[c] = 0;
      }
      settleTokens(s, k);
      settleBridge(s, k, chArr, chBuf);
      int m = rc == 0 ? 0 : deliver(s, rc, evArr, evBuf);
      if (closed) {
        if (wakeSeen && waiterCount > 0) {
          passWakeOn();
        }
        throw closedError();
      }
      if (wakeSeen) {
        if (interruptedWaiter()) {
          passWakeOn();
        } else {
          resetWakeIfIdle();
        }
      }
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** Translates and encodes the changes; returns how many were submitted. Under the lock. */
  private int encodeChanges(Scratch s, KEvent[] chArr, KEventBuffer chBuf, int nchanges)
      throws KQueueException {
    int k = 0;
    for (int i = 0; i < nchanges; i++) {
      long ident;
      short filter;
      int flags;
      int fflags;
      long data;
      Object udata;
      if (chArr != null) {
        KEvent change = chArr[i];
        if (change == null) {
          for (int c = 0; c < k; c++) {
            tokens.discard(s.token[c]);
          }
          throw new KQueueException("kevent", Errno.EFAULT, "changelist[" + i + "] is null");
        }
        ident = change.ident();
        filter = change.filter();
        flags = change.flags();
        fflags = change.fflags();
        data = change.data();
        udata = change.udata();
      } else {
        ident = chBuf.ident(i);
        filter = chBuf.filter(i);
        flags = chBuf.flags(i);
        fflags = chBuf.fflags(i);
        data = chBuf.data(i);
        udata = chBuf.udata(i);
      }
      if (filter == 0) {
        continue; // FreeBSD skips a change with filter 0
      }
      flags &= 0xFFFF & ~EV_SYSFLAGS;
      boolean badDescriptor = false;
      if (filter == EVFILT_FSEVENT) {
        if ((flags & EV_ADD) != 0 && fflags == 0
            && ((ident & ~FsEventBridge.ID_MASK) != 0 || FsWatcher.byId(ident) == null)) {
          badDescriptor = true; // no open watcher: EBADF, as a closed clone descriptor
        } else if (fflags == 0) {
          ident = FsEventBridge.osIdent(ident & FsEventBridge.ID_MASK);
          filter = EVFILT_USER;
          flags = (flags & ~FsEventBridge.KEPT_FLAGS) | ((flags & EV_ADD) != 0 ? EV_CLEAR : 0);
          data = 0;
        }
      }
      int osFilter = dialect.filterToOs(filter);
      int osFlags = dialect.flagsToOs(flags & ~EV_KEEPUDATA);
      long osFflags = dialect.fflagsToOs(filter, fflags);
      boolean refused = osFlags < 0 || osFflags == Dialect.UNSUPPORTED
          || osFilter == dialect.invalidFilter()
          || (filter == EVFILT_USER && (ident == WAKE_IDENT || FsEventBridge.isBridged(ident)
              && (chArr != null ? chArr[i].filter() : chBuf.filter(i)) == EVFILT_USER));
      if (badDescriptor) {
        refused = true;
        ident = BAD_DESCRIPTOR_IDENT;
        osFilter = dialect.filterToOs(EVFILT_READ);
        osFlags = dialect.flagsToOs(EV_ADD);
        osFflags = 0;
      } else if (refused) {
        osFilter = dialect.invalidFilter(); // the OS answers EINVAL in this change's place
        osFlags = flags & 0x00FF;
        osFflags = 0;
      }
      long current = tokens.tokenOf(ident, filter);
      boolean delete = (flags & EV_DELETE) != 0;
      boolean add = (flags & EV_ADD) != 0;
      byte kind;
      long fresh = 0;
      long sent;
      if (refused) {
        kind = KIND_REFUSED;
        sent = 0;
      } else if (delete && !add) {
        kind = KIND_DELETE;
        sent = current;
      } else if (delete) {
        kind = current != 0 ? KIND_ADD_DELETE_EXISTING : KIND_ADD_DELETE_NEW;
        fresh = tokens.acquire(udata);
        sent = fresh;
      } else if ((flags & EV_KEEPUDATA) != 0 && current != 0) {
        kind = KIND_KEEP; // the kernel gets the udata it has: EV_KEEPUDATA on every OS
        sent = current;
      } else {
        kind = add ? KIND_SET_ADD : KIND_SET;
        fresh = tokens.acquire(udata);
        sent = fresh;
      }
      layout.write(s.changes, k, ident, osFilter, osFlags, (int) osFflags, data, sent);
      s.origin[k] = i;
      s.osFilter[k] = osFilter;
      s.filter[k] = filter;
      s.kind[k] = kind;
      s.token[k] = fresh;
      k++;
    }
    return k;
  }

  /**
   * Matches the leading {@code EV_ERROR} entries of the event array to the submitted changes they
   * answer, in order, into {@link Scratch#answers}; returns how many matched.
   *
   * <p>A change with {@code EV_RECEIPT} is always answered and one without only when it fails, so
   * an entry may answer a failed change before the next change with {@code EV_RECEIPT}, or that
   * one, but none after it. When both could be meant (the same ident, filter and udata), the
   * earlier is tried first, and that choice is undone when a later entry then answers nothing. When
   * no assignment takes every entry, the entries answered greedily from the start count.
   */
  private int matchAnswers(Scratch s, int limit, int k) {
    int m = 0;
    while (m < limit && (layout.flags(s.events, m) & EV_ERROR) != 0) {
      m++;
    }
    int budget = 4 * (m + k) + 64; // undone choices; a kernel's answers need far fewer
    int j = 0;
    while (j < m) {
      int c = answered(s, j, j == 0 ? 0 : s.answers[j - 1] + 1, k);
      if (c >= 0) {
        s.answers[j++] = c;
        continue;
      }
      int back = j - 1;
      while (back >= 0 && !answersReceipt(s, back, k)) {
        back--;
      }
      if (back < 0 || budget-- == 0) {
        for (j = 0; j < m; j++) {
          c = answered(s, j, j == 0 ? 0 : s.answers[j - 1] + 1, k);
          if (c < 0) {
            break;
          }
          s.answers[j] = c;
        }
        return j;
      }
      j = back + 1;
    }
    return m;
  }

  /**
   * The submitted change, from {@code from} on, that entry {@code j} answers, or -1: a change with
   * the entry's ident and filter, not past the next change with {@code EV_RECEIPT}, and that one if
   * the entry is a receipt (data 0). Of those, the first whose udata the entry echoes, else the
   * first.
   */
  private int answered(Scratch s, int j, int from, int k) {
    long ident = layout.ident(s.events, j);
    int osFilter = layout.filter(s.events, j);
    boolean receipt = layout.data(s.events, j) == 0;
    long udata = layout.udata(s.events, j);
    int first = -1;
    for (int c = from; c < k; c++) {
      boolean asked = (layout.flags(s.changes, c) & EV_RECEIPT) != 0;
      if (layout.ident(s.changes, c) == ident && s.osFilter[c] == osFilter
          && (asked || !receipt)) {
        if (layout.udata(s.changes, c) == udata) {
          return c;
        }
        if (first < 0) {
          first = c;
        }
      }
      if (asked) {
        break;
      }
    }
    return first;
  }

  /**
   * Moves entry {@code j}'s answer to the change with {@code EV_RECEIPT} that follows it within
   * its reach, if that change has the entry's ident and filter; false when there is none.
   */
  private boolean answersReceipt(Scratch s, int j, int k) {
    int c = s.answers[j];
    while (c < k && (layout.flags(s.changes, c) & EV_RECEIPT) == 0) {
      c++;
    }
    if (c == s.answers[j] || c == k || layout.ident(s.changes, c) != layout.ident(s.events, j)
        || s.osFilter[c] != layout.filter(s.events, j)) {
      return false;
    }
    s.answers[j] = c;
    return true;
  }

  /** Moves tokens by each submitted change's outcome (see {@link UdataTokens}). Under the lock. */
  private void settleTokens(Scratch s, int k) {
    for (int c = 0; c < k; c++) {
      long ident = layout.ident(s.changes, c);
      short filter = s.filter[c];
      long fresh = s.token[c];
      int outcome = s.outcome[c];
      switch (s.kind[c]) {
        case KIND_SET:
        case KIND_SET_ADD:
          if (outcome == 0) {
            tokens.replaced(ident, filter, fresh);
          } else if (outcome == OUTCOME_UNKNOWN) {
            tokens.maybeReplaced(ident, filter, fresh);
          } else {
            tokens.discard(fresh);
            if (outcome == Errno.ENOENT && s.kind[c] == KIND_SET) {
              tokens.removed(ident, filter);
            }
          }
          break;
        case KIND_KEEP:
          if (outcome == Errno.ENOENT) {
            tokens.removed(ident, filter);
          }
          break;
        case KIND_DELETE:
          if (outcome == 0 || outcome == Errno.ENOENT) {
            tokens.removed(ident, filter);
          }
          break;
        case KIND_ADD_DELETE_EXISTING:
        case KIND_ADD_DELETE_NEW:
          if (outcome == OUTCOME_UNKNOWN) {
            tokens.keepWith(ident, filter, fresh);
          } else if (outcome != 0) {
            tokens.discard(fresh);
          } else if (s.kind[c] == KIND_ADD_DELETE_EXISTING) {
            tokens.removed(ident, filter); // the existing knote was deleted
            tokens.discard(fresh);
          } else {
            tokens.replaced(ident, filter, fresh); // a missing knote was added
          }
          break;
        default: // KIND_REFUSED: nothing was sent with a token
          break;
      }
    }
  }

  /**
   * Tells the {@code EVFILT_FSEVENT} bridge what the kernel did with its changes: an accepted
   * {@code EV_ADD} subscribes the knote to its watcher (and triggers it when the watcher already
   * has records or is revoked), a delete forgets it, an {@code EV_ENABLE} re-triggers it. An
   * unknown outcome counts as done, which at worst leaves a subscription that triggers nothing.
   * Under the lock.
   */
  private void settleBridge(Scratch s, int k, KEvent[] chArr, KEventBuffer chBuf) {
    for (int c = 0; c < k; c++) {
      if (s.filter[c] != EVFILT_USER || s.kind[c] == KIND_REFUSED
          || !FsEventBridge.isBridged(layout.ident(s.changes, c))) {
        continue;
      }
      int i = s.origin[c];
      long id = chArr != null ? chArr[i].ident() : chBuf.ident(i);
      int flags = chArr != null ? chArr[i].flags() : chBuf.flags(i);
      int outcome = s.outcome[c];
      boolean done = outcome == 0 || outcome == OUTCOME_UNKNOWN;
      if ((flags & EV_DELETE) != 0) {
        if (done || outcome == Errno.ENOENT) {
          forgetFsEvent(id);
        }
      } else if ((flags & EV_ADD) != 0 && done) {
        FsWatcher watcher = FsWatcher.byId(id);
        if (watcher != null && fsevents.added(id, watcher, flags)) {
          FsEventRelay.get().subscribe(watcher, this);
        }
        if (watcher == null || watcher.pending() > 0 || watcher.isRevoked()) {
          fsEventReady(id);
        }
      } else if ((flags & EV_ENABLE) != 0 && done) {
        fsEventReady(id);
      }
    }
  }

  private void forgetFsEvent(long id) {
    if (fsevents.removed(id)) {
      FsEventRelay.get().unsubscribe(id, this);
    }
  }

  /**
   * Stores the error and receipt entries, each with its change's ident, filter and udata as the
   * caller gave them (a bridged {@code EVFILT_FSEVENT} change went to the kernel as another).
   */
  private void storeAnswers(Scratch s, int count, KEvent[] chArr, KEventBuffer chBuf,
      KEvent[] evArr, KEventBuffer evBuf) {
    for (int j = 0; j < count; j++) {
      int c = s.answers[j];
      int i = s.origin[c];
      Object udata = chArr != null ? chArr[i].udata() : chBuf.udata(i); // i >= j: not yet overwritten
      long ident = chArr != null ? chArr[i].ident() : chBuf.ident(i);
      short filter = chArr != null ? chArr[i].filter() : chBuf.filter(i);
      int flags = dialect.flagsFromOs(layout.flags(s.events, j));
      int fflags = dialect.fflagsFromOs(filter, layout.fflags(s.events, j));
      long data = dialect.errnoFromOs((int) layout.data(s.events, j));
      store(evArr, evBuf, j, ident, filter, flags, fflags, data, udata);
    }
  }

  // ---------------------------------------------------------------- the scan

  private int scan(Scratch s, KEvent[] evArr, KEventBuffer evBuf, int nevents, long nanos)
      throws KQueueException {
    if (nanos != 0 && Thread.currentThread().isInterrupted()) {
      nanos = 0; // an interrupted thread does not wait; its status stays set
    }
    boolean forever = nanos < 0;
    long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
    s.ensureEvents(nevents * layout.size(), nevents);
    long stamp;
    lock.lock();
    try {
      stamp = tokens.scanStarted();
    } finally {
      lock.unlock();
    }
    try {
      while (true) {
        long left = forever ? -1 : nanos == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
        if (!forever) {
          KeventLayout.writeTimespec(s.timespec, 0, left);
        }
        boolean blocking = left != 0;
        if (blocking) {
          addWaiter();
          hook.enter();
        }
        int rc;
        int osErrno = 0;
        try {
          rc = calls.kevent(kq, 0, 0, s.eventsAddress, nevents, forever ? 0 : s.timespecAddress);
          if (rc < 0) {
            osErrno = calls.errno();
          }
        } finally {
          if (blocking) {
            hook.exit();
            removeWaiter();
          }
        }
        if (closed) {
          lock.lock();
          try {
            if (waiterCount > 0) {
              passWakeOn(); // some kernels wake one sleeper per activation
            }
          } finally {
            lock.unlock();
          }
          throw closedError();
        }
        if (rc < 0) {
          int errno = dialect.errnoFromOs(osErrno);
          if (errno != Errno.EINTR) {
            throw new KQueueException("kevent", errno, null);
          }
        }
        int m = 0;
        if (rc > 0) {
          lock.lock();
          try {
            m = deliver(s, rc, evArr, evBuf);
            if (wakeSeen) {
              wokenInScan(m, forever, deadline);
            }
          } finally {
            lock.unlock();
          }
          if (closed) {
            throw closedError();
          }
        }
        if (m > 0 || nanos == 0 || Thread.currentThread().isInterrupted()
            || (!forever && deadline - System.nanoTime() <= 0)) {
          return m;
        }
      }
    } finally {
      lock.lock();
      try {
        tokens.scanEnded(stamp);
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Translates {@code n} scanned events into the caller's list, dropping the wake-up knote's;
   * returns how many were stored. Under the lock.
   */
  private int deliver(Scratch s, int n, KEvent[] evArr, KEventBuffer evBuf) {
    ByteBuffer ev = s.events;
    int m = 0;
    boolean woken = false;
    for (int j = 0; j < n; j++) {
      long ident = layout.ident(ev, j);
      int osFilter = layout.filter(ev, j);
      if (ident == WAKE_IDENT && osFilter == osUser) {
        woken = true;
        continue;
      }
      if (osFilter == osUser && FsEventBridge.isBridged(ident)) {
        if (deliverFsEvent(ev, j, m, evArr, evBuf)) {
          m++;
        }
        continue;
      }
      short filter = dialect.filterFromOs(osFilter);
      int flags = dialect.flagsFromOs(layout.flags(ev, j));
      int fflags = dialect.fflagsFromOs(filter, layout.fflags(ev, j));
      long data = layout.data(ev, j);
      long token = layout.udata(ev, j);
      if ((flags & EV_ERROR) != 0) {
        data = dialect.errnoFromOs((int) data);
      } else if ((flags & EV_EOF) != 0 && fflags != 0
          && (filter == EVFILT_READ || filter == EVFILT_WRITE)) {
        fflags = dialect.errnoFromOs(fflags); // the socket's error
      }
      Object udata = tokens.resolve(token);
      if ((flags & EV_ONESHOT) != 0) {
        tokens.delivered(ident, filter, token);
      }
      store(evArr, evBuf, m++, ident, filter, flags, fflags, data, udata);
    }
    wakeSeen = woken;
    applyFollowUps();
    return m;
  }

  /**
   * Translates a bridged knote's event into {@code EVFILT_FSEVENT} at index {@code m}; false when
   * there is nothing to report (no records left and not revoked, or a knote already deleted).
   * Queues what the kernel must do after it: see {@link FsEventBridge}. Under the lock.
   */
  private boolean deliverFsEvent(ByteBuffer ev, int j, int m, KEvent[] evArr, KEventBuffer evBuf) {
    long osIdent = layout.ident(ev, j);
    long id = osIdent & FsEventBridge.ID_MASK;
    FsEventBridge.Registration r = fsevents.get(id);
    if (r == null) {
      return false;
    }
    boolean revoked = r.watcher.isRevoked();
    int pending = r.watcher.pending();
    if (!revoked && pending == 0) {
      return false;
    }
    int flags = (dialect.flagsFromOs(layout.flags(ev, j)) & ~FsEventBridge.KEPT_FLAGS) | r.flags;
    int fflags = 0;
    if (revoked) {
      flags |= EV_EOF | EV_ONESHOT;
      fflags = NOTE_REVOKE;
    }
    Object udata = tokens.resolve(layout.udata(ev, j));
    store(evArr, evBuf, m, id, EVFILT_FSEVENT, flags, fflags, pending, udata);
    if ((flags & EV_ONESHOT) != 0) {
      followUp(osIdent, EV_DELETE);
      tokens.removed(osIdent, EVFILT_USER);
      forgetFsEvent(id);
    } else if ((r.flags & EV_DISPATCH) != 0) {
      followUp(osIdent, EV_DISABLE);
    } else if ((r.flags & EV_CLEAR) == 0) {
      followUp(osIdent, 0); // level-triggered: fires again while records remain
    }
    return true;
  }

  private void followUp(long osIdent, int flags) {
    if (followUpCount + 2 > followUps.length) {
      followUps = java.util.Arrays.copyOf(followUps, followUps.length * 2);
    }
    followUps[followUpCount++] = osIdent;
    followUps[followUpCount++] = flags;
  }

  /** Applies the queued follow-ups, one change each (a trigger when flags are 0). Under the lock. */
  private void applyFollowUps() {
    for (int f = 0; f < followUpCount; f += 2) {
      long osIdent = followUps[f];
      int flags = (int) followUps[f + 1];
      synchronized (wake) {
        putUser(0, osIdent, flags, flags == 0 ? NOTE_TRIGGER : 0,
            flags == EV_DELETE ? 0 : tokens.tokenOf(osIdent, EVFILT_USER));
        submitWake(1);
      }
    }
    followUpCount = 0;
  }

  /**
   * Watcher {@code id} has records or is revoked: triggers its bridged knote, if this queue has
   * one. Called by {@link FsEventRelay} from its thread, and under the lock on registration; takes
   * the lock (for the knote's token), then the wake-up buffer's monitor.
   */
  void fsEventReady(long id) {
    if (tryAcquire()) {
      long osIdent = FsEventBridge.osIdent(id);
      lock.lock();
      try {
        synchronized (wake) {
          // the knote's own token: a change's udata replaces the knote's in every kernel
          putUser(0, osIdent, 0, NOTE_TRIGGER, tokens.tokenOf(osIdent, EVFILT_USER));
          submitWake(1); // fails with ENOENT when the knote is gone: nothing to do
        }
      } finally {
        lock.unlock();
        release();
      }
    }
  }

  private static void store(KEvent[] arr, KEventBuffer buf, int index, long ident, short filter,
      int flags, int fflags, long data, Object udata) {
    if (arr != null) {
      arr[index] = new KEvent(ident, filter, flags, fflags, data, udata);
    } else {
      buf.set(index, ident, filter, flags, fflags, data, udata);
    }
  }

  // ---------------------------------------------------------------- waking

  /**
   * A scan returned the wake-up knote's event. Closed: pass it on to the other waiters. For this
   * thread's interrupt: leave. For another waiter's: pass it on, wait until that thread has left the
   * kernel, then reset the knote. Stale: reset it. Under the lock.
   */
  private void wokenInScan(int delivered, boolean forever, long deadline) {
    if (closed) {
      if (waiterCount > 0) {
        passWakeOn();
      }
      return;
    }
    if (delivered == 0 && !Thread.currentThread().isInterrupted() && interruptedWaiter()) {
      passWakeOn();
      awaitInterruptedWaiters(forever, deadline);
    }
    resetWakeIfIdle();
  }

  /** Whether a thread waiting in the kernel, other than this one, has been interrupted. */
  private boolean interruptedWaiter() {
    Thread me = Thread.currentThread();
    for (int i = 0; i < waiterCount; i++) {
      if (waiters[i] != me && waiters[i].isInterrupted()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Woken for another thread's interrupt: waits, under the lock's condition, until no interrupted
   * thread is left in the kernel (or the deadline, the close or an interrupt of this thread).
   */
  private void awaitInterruptedWaiters(boolean forever, long deadline) {
    try {
      while (!closed && interruptedWaiter()) {
        if (forever) {
          waiterLeft.await();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          waiterLeft.awaitNanos(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller returns, with the status set
    }
  }

  /**
   * Resets the wake-up knote unless the queue is closed or an interrupted thread is still in the
   * kernel. Under the lock; the check and the reset are atomic with respect to {@link #trigger()},
   * and an interrupt sets the thread's status before it triggers, so no wake-up is lost.
   */
  private void resetWakeIfIdle() {
    synchronized (wake) {
      if (!closed && !interruptedWaiter()) {
        putWake(0, EV_DELETE, 0);
        putWake(1, EV_ADD, 0);
        submitWake(2);
      }
    }
  }

  private void addWaiter() {
    lock.lock();
    try {
      if (waiterCount == waiters.length) {
        waiters = java.util.Arrays.copyOf(waiters, waiterCount * 2);
      }
      waiters[waiterCount++] = Thread.currentThread();
    } finally {
      lock.unlock();
    }
  }

  private void removeWaiter() {
    Thread me = Thread.currentThread();
    lock.lock();
    try {
      for (int i = 0; i < waiterCount; i++) {
        if (waiters[i] == me) {
          waiters[i] = waiters[--waiterCount];
          waiters[waiterCount] = null;
          break;
        }
      }
      waiterLeft.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Runs in the interrupting thread. */
  private void wakeFromInterrupt() {
    if (tryAcquire()) {
      try {
        trigger();
      } finally {
        release();
      }
    }
  }

  /** {@code NOTE_TRIGGER} on the wake-up knote; the caller holds a use of {@link #kq}. */
  private void trigger() {
    synchronized (wake) {
      putWake(0, 0, NOTE_TRIGGER);
      submitWake(1);
    }
  }

  /**
   * Hands the wake-up on to the threads still in the kernel: deletes, adds and triggers the knote,
   * a fresh activation that a kernel waking one sleeper per activation also passes on.
   */
  private void passWakeOn() {
    synchronized (wake) {
      putWake(0, EV_DELETE, 0);
      putWake(1, EV_ADD, 0);
      putWake(2, 0, NOTE_TRIGGER);
      submitWake(3);
    }
  }

  private void putWake(int index, int flags, int fflags) {
    putUser(index, WAKE_IDENT, flags, fflags, 0);
  }

  private void putUser(int index, long ident, int flags, int fflags, long token) {
    layout.write(wake, index, ident, osUser, dialect.flagsToOs(flags), fflags, 0, token);
  }

  /** Applies the first {@code n} wake-up changes; with {@link #wake}'s monitor held. */
  private int submitWake(int n) {
    int ts = 3 * layout.size();
    KeventLayout.writeTimespec(wake, ts, 0);
    return calls.kevent(kq, wakeAddress, n, 0, 0, wakeAddress + ts);
  }

  // ---------------------------------------------------------------- closing

  private void acquire() throws KQueueException {
    if (!tryAcquire()) {
      throw closedError();
    }
  }

  private boolean tryAcquire() {
    while (true) {
      int n = users.get();
      if (n == 0 || closed) {
        return false;
      }
      if (users.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void release() {
    if (users.decrementAndGet() == 0) {
      lock.lock();
      try {
        tokens.clear();
      } finally {
        lock.unlock();
      }
      calls.close(kq);
    }
  }

  /**
   * Closes the queue: later calls fail with {@code EBADF}, waiting threads wake and fail with
   * {@code EBADF}, every udata is dropped, and the descriptor is closed once the last of those
   * calls has returned. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    lock.lock();
    try {
      for (long id : fsevents.ids()) {
        FsEventRelay.get().unsubscribe(id, this);
      }
      fsevents.clear();
    } finally {
      lock.unlock();
    }
    trigger(); // the queue's own use keeps the descriptor open for this
    release();
  }

  // ---------------------------------------------------------------- arguments

  private static void checkCount(String name, int count, int length) throws KQueueException {
    if (count < 0 || count > length) {
      throw new KQueueException("kevent", Errno.EINVAL,
          name + " " + count + " outside 0.." + length + " (the array's length)");
    }
  }

  /** Null waits forever (-1); negative or beyond 2^31-1 seconds is {@code EINVAL}. */
  private static long toNanos(Duration timeout) throws KQueueException {
    if (timeout == null) {
      return -1;
    }
    if (timeout.isNegative()) {
      throw new KQueueException("kevent", Errno.EINVAL, "negative timeout " + timeout);
    }
    if (timeout.getSeconds() > Integer.MAX_VALUE) {
      throw new KQueueException("kevent", Errno.EINVAL,
          "timeout " + timeout + " is beyond 2^31-1 seconds");
    }
    return timeout.toNanos();
  }

  private static KQueueException closedError() {
    return new KQueueException("kevent", Errno.EBADF, "the kqueue is closed");
  }

  @Override
  public String toString() {
    return "NativeKQueue[fd=" + kq + ", " + layout.id() + ", " + calls.name()
        + (closed ? ", closed]" : "]");
  }

  /** Live udata tokens, for tests. */
  public int liveTokens() {
    lock.lock();
    try {
      return tokens.liveTokens();
    } finally {
      lock.unlock();
    }
  }
}
