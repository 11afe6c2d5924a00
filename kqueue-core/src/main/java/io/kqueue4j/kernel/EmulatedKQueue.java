package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_CLEAR;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_DISPATCH;
import static io.kqueue4j.KEvent.EV_DROP;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_ERROR;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.kernel.KNoteState.ACTIVE;
import static io.kqueue4j.kernel.KNoteState.DETACHED;
import static io.kqueue4j.kernel.KNoteState.DISABLED;
import static io.kqueue4j.kernel.KNoteState.DROPPED;
import static io.kqueue4j.kernel.KNoteState.INFLUX;
import static io.kqueue4j.kernel.KNoteState.MARKER;
import static io.kqueue4j.kernel.KNoteState.QUEUED;
import static io.kqueue4j.kernel.KNoteState.REACTIVATED;
import static io.kqueue4j.kernel.KNoteState.SCAN;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueue;
import io.kqueue4j.KQueueException;
import io.kqueue4j.spi.DescriptorSupport.ReadinessSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The emulated kernel: one {@code struct kqueue} with {@code kqueue_register} and {@code
 * kqueue_scan} after FreeBSD's {@code kern_event.c}. See {@code docs/architecture.md} for the lock
 * order and the knote life cycle; the rules in short:
 *
 * <ul>
 *   <li>{@link #lock} ({@code kq_lock}) guards the knote table, the active queue and every knote's
 *       status. It is a leaf: no filter, source or other kqueue is called while it is held.
 *   <li>A thread that works on a knote without the lock first puts it in flux; others wait on
 *       {@code flux} ({@code KQ_FLUXWAIT}) and then look the knote up again.
 *   <li>Filters run under their knote list's lock, which is taken before this lock, never after.
 *   <li>Watchers (parent kqueues, the readiness descriptor) are notified after the lock is
 *       released.
 * </ul>
 */
public final class EmulatedKQueue implements KQueue {
  private static final int ACTIONS = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT;

  private final ReentrantLock lock = new ReentrantLock();
  /** Scanners waiting for an event ({@code KQ_SLEEP}). */
  private final Condition events = lock.newCondition();
  /** Threads waiting for a knote to leave flux ({@code KQ_FLUXWAIT}). */
  private final Condition flux = lock.newCondition();
  private final KNoteTable table = new KNoteTable();
  /** Package-private for tests that corrupt it on purpose. */
  final ActiveQueue queue = new ActiveQueue();
  /** {@code kq_sel.si_note}: knotes of other kqueues that watch this one. */
  private final KNoteList watchers = new KNoteList();
  private final Object readinessLock = new Object();
  private volatile ReadinessSignal readiness;
  private volatile boolean closed;
  private int sleepers;
  private int fluxWaiters;
  private boolean notifyPending;
  private boolean holdsDescriptorKnotes;
  /** The source this kqueue's sleepers wait on themselves when they can; see {@link EventPump}. */
  private volatile EventPump pump;
  /** The thread of this kqueue that leads a pump now, if any. */
  private Thread pumper;
  /** The pump {@link #pumper} leads: {@link #pump}, or the one it replaced meanwhile. */
  private EventPump pumping;
  /** An event was queued while {@link #pumper} waits in the pump: wake it at unlock. */
  private boolean wakePump;
  private KNote[] markers = new KNote[2];
  private int freeMarkers;

  private EmulatedKQueue() {}

  /**
   * {@code kqueue(2)} on the emulated kernel.
   *
   * @return a new, empty kqueue; it makes no system call until its {@link #fd()} is asked for
   */
  public static EmulatedKQueue open() {
    return new EmulatedKQueue();
  }

  @Override
  public String backend() {
    return "emulated";
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
    if (closed) {
      throw closedError();
    }
    if (nchanges > 0) {
      int nerrors = registerAll(chArr, chBuf, nchanges, evArr, evBuf, nevents);
      if (nerrors != 0) {
        return nerrors < 0 ? 0 : nerrors;
      }
    }
    return scan(evArr, evBuf, nevents, nanos);
  }

  /**
   * Applies the changelist in order; runs of changes that {@link ChangeBatch} accepts go through a
   * batch. Returns the number of error or receipt entries stored, or -1 when a receipt found no
   * room and the call ends without a scan.
   */
  private int registerAll(KEvent[] chArr, KEventBuffer chBuf, int nchanges, KEvent[] evArr,
      KEventBuffer evBuf, int nevents) throws KQueueException {
    int nerrors = 0;
    // Allocated per call, not pooled: its stores of new knotes then stay within the young
    // generation and skip the collector's card-marking slow path, which costs more than the array.
    ChangeBatch batch = null;
    KQueueException batchFailure = null; // of change i, found by the batch
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
        continue;
      }
      flags &= 0xFFFF & ~EV_SYSFLAGS;
      KQueueException failure = batchFailure;
      batchFailure = null;
      if (failure == null && nchanges - i > 1 && ChangeBatch.accepts(flags)) {
        if (batch == null) {
          batch = new ChangeBatch(this, nchanges - i);
        }
        int done = batch.register(chArr, chBuf, i, nchanges);
        batchFailure = batch.takeFailure();
        if (done > 0 || batchFailure != null) {
          i += done - 1; // on to the change after the run, or to the one that failed
          continue;
        }
      }
      if (failure == null) {
        try {
          register(ident, filter, flags, fflags, data, udata);
        } catch (KQueueException e) {
          failure = e;
        }
      }
      if (failure != null && closed) {
        throw closedError(); // the queue went away under the call: the call fails, not the entry
      }
      if (failure == null && (flags & EV_RECEIPT) == 0) {
        continue;
      }
      if (nevents == nerrors) {
        if (failure != null) {
          throw failure;
        }
        // a receipt with no room left ends the call, as FreeBSD's does
        return nerrors == 0 ? -1 : nerrors;
      }
      int errno = failure == null ? 0 : failure.errno();
      int echoed = failure instanceof AttachError ? 0 : fflags;
      store(evArr, evBuf, nerrors, ident, filter, EV_ERROR, echoed, errno, udata);
      nerrors++;
    }
    return nerrors;
  }

  /**
   * Stores an event. A {@code KEvent[]} slot that holds the same event already (same fields, the
   * same {@code udata} object) is left as it is: a loop that receives the same event again, as a
   * triggered {@code EV_CLEAR} knote returns it, allocates nothing.
   */
  private static void store(KEvent[] arr, KEventBuffer buf, int index, long ident, short filter,
      int flags, int fflags, long data, Object udata) {
    if (arr != null) {
      KEvent old = arr[index];
      if (old == null || old.ident() != ident || old.filter() != filter || old.flags() != flags
          || old.fflags() != fflags || old.data() != data || old.udata() != udata) {
        arr[index] = new KEvent(ident, filter, flags, fflags, data, udata);
      }
    } else {
      buf.set(index, ident, filter, flags, fflags, data, udata);
    }
  }

  private static void checkCount(String name, int count, int length) throws KQueueException {
    if (count < 0 || count > length) {
      throw new KQueueException("kevent", Errno.EINVAL,
          name + " " + count + " outside 0.." + length + " (the array's length)");
    }
  }

  /** Null waits forever (-1); negative or beyond 2^31-1 seconds is {@code EINVAL}. */
  static long toNanos(Duration timeout) throws KQueueException {
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

  // ---------------------------------------------------------------- kqueue_register

  private void register(long ident, short filter, int flags, int fflags, long data, Object udata)
      throws KQueueException {
    if ((flags & (EV_ENABLE | EV_DISABLE)) == (EV_ENABLE | EV_DISABLE)) {
      throw new KQueueException("kevent", Errno.EINVAL,
          "EV_ENABLE and EV_DISABLE together on " + describe(ident, filter));
    }
    FilterOps fops = Filters.peek(filter);
    if (fops == null) {
      throw new KQueueException("kevent", Errno.EINVAL, "unknown filter " + filter);
    }
    if (!fops.isFd()) {
      register(ident, filter, flags, fflags, data, udata, false);
      return;
    }
    // Held until the knote is registered, so that a close(2) of the descriptor meanwhile either
    // comes first (EBADF here) or finds the knote and drops it.
    Descriptors.lockTable();
    try {
      if (!Descriptors.isOpen(ident)) {
        throw new KQueueException("kevent", Errno.EBADF,
            describe(ident, filter) + ": descriptor " + ident + " is not open");
      }
      ReadinessSignal own = readiness;
      if (own != null && own.fd() == ident) {
        throw new KQueueException("kevent", Errno.EINVAL,
            describe(ident, filter) + ": a kqueue cannot watch itself");
      }
      register(ident, filter, flags, fflags, data, udata, true);
    } finally {
      Descriptors.unlockTable();
    }
  }

  private void register(long ident, short filter, int flags, int fflags, long data, Object udata,
      boolean isFd) throws KQueueException {
    KNote kn;
    lock();
    boolean locked = true;
    try {
      while (true) {
        if (closed) {
          throw closedError();
        }
        kn = table.find(ident, filter, isFd);
        if (kn == null || (kn.status & INFLUX) == 0) {
          break;
        }
        fluxWait();
      }
      if (kn == null) {
        if ((flags & EV_ADD) == 0) {
          throw new KQueueException("kevent", Errno.ENOENT, describe(ident, filter) + ": no such knote");
        }
        kn = newKNoteLocked(ident, filter, flags, fflags, data, udata, isFd);
        unlock();
        locked = false;
        attach(kn);
        evaluate(kn, false);
        return;
      }
      if ((flags & EV_DELETE) != 0) {
        kn.status |= INFLUX;
        boolean attachedOffList = (kn.status & DETACHED) == 0;
        unlock();
        locked = false;
        RuntimeException thrown = drop(kn, attachedOffList);
        if (thrown != null) {
          throw new KQueueException("kevent", Errno.EIO,
              KEvent.filterName(filter) + " detach threw " + thrown, thrown);
        }
        return;
      }
      if ((flags & EV_ENABLE) != 0) {
        kn.status &= ~DISABLED;
      } else if ((flags & EV_DISABLE) != 0) {
        kn.status |= DISABLED;
      }
      kn.status |= INFLUX | SCAN;
      unlock();
      locked = false;
    } finally {
      if (locked) {
        unlock();
      }
    }
    modify(kn, flags, fflags, data, udata);
  }

  /**
   * A new knote for a change, in flux ({@code INFLUX|SCAN|DETACHED}) and in the table; with the
   * lock held. Takes a reference on its filter.
   */
  KNote newKNoteLocked(long ident, short filter, int flags, int fflags, long data, Object udata,
      boolean isFd) {
    KNote kn = new KNote(this, ident, filter, Filters.acquire(filter), isFd);
    kn.setSfflags(fflags);
    kn.setSdata(data);
    kn.udata = udata;
    kn.setFlags(flags & ~ACTIONS);
    kn.status = DETACHED | INFLUX | SCAN | ((flags & EV_DISABLE) != 0 ? DISABLED : 0);
    table.insert(kn, isFd);
    if (isFd && !holdsDescriptorKnotes) {
      holdsDescriptorKnotes = true;
      Descriptors.holdsDescriptorKnotes(this);
    }
    return kn;
  }

  /** A non-descriptor knote by ident and filter, in flux or not; with the lock held. */
  KNote findLocked(long ident, short filter) {
    return table.find(ident, filter, false);
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * {@code f_attach} of a new knote in flux; on failure the knote is dropped and the change fails.
   * A knote attached to no list counts as attached from here on; {@link #evaluate} records it.
   */
  private void attach(KNote kn) throws KQueueException {
    try {
      kn.ops.attach(kn);
    } catch (KQueueException e) {
      dropUnattached(kn);
      throw new AttachError(e);
    } catch (RuntimeException e) {
      dropUnattached(kn);
      throw new AttachError(Errno.EIO, KEvent.filterName(kn.filter) + " attach threw " + e, e);
    } catch (Error e) {
      dropUnattached(kn);
      throw e;
    }
  }

  /** A change to an existing knote in flux: udata, {@code f_touch}, then the re-check. */
  private void modify(KNote kn, int flags, int fflags, long data, Object udata)
      throws KQueueException {
    KNoteList list = kn.list();
    if (list != null) {
      list.lock();
    }
    Throwable thrown = null;
    try {
      if ((flags & EV_KEEPUDATA) == 0) {
        kn.udata = udata;
      }
      try {
        kn.ops.touch(kn, flags, fflags, data);
      } catch (RuntimeException | Error e) {
        thrown = e;
      }
      if ((flags & EV_FORCEONESHOT) != 0) {
        kn.addFlags(EV_ONESHOT);
      }
    } finally {
      if (list != null) {
        list.unlock();
      }
    }
    try {
      evaluate(kn, (flags & EV_FORCEONESHOT) != 0);
    } finally {
      rethrow(kn, "touch", thrown);
    }
  }

  /** Reports a filter's failure on the change: an {@code Error} as it is, the rest as EIO. */
  private static void rethrow(KNote kn, String method, Throwable thrown) throws KQueueException {
    if (thrown instanceof Error e) {
      throw e;
    }
    if (thrown != null) {
      throw new KQueueException("kevent", Errno.EIO,
          KEvent.filterName(kn.filter) + " " + method + " threw " + thrown, thrown);
    }
  }

  /**
   * The end of a registration ({@code done_ev_add}): re-check the condition unless disabled,
   * activate, and let the knote out of flux.
   */
  private void evaluate(KNote kn, boolean force) throws KQueueException {
    KNoteList list = kn.list();
    Throwable thrown = null;
    if (list != null) {
      list.lock();
    }
    try {
      boolean event = false;
      if ((kn.status & DISABLED) == 0) { // stable while in flux
        try {
          event = kn.ops.event(kn, 0);
        } catch (RuntimeException | Error e) {
          thrown = e; // reported on the change once the knote is out of flux
        }
      }
      lock();
      try {
        if (list == null) {
          kn.status &= ~DETACHED; // attached to no list: attached once attach returned
        }
        leaveRegistrationLocked(kn, event || force);
        fluxWakeupLocked();
      } finally {
        unlock();
      }
    } finally {
      if (list != null) {
        list.unlock();
      }
    }
    rethrow(kn, "event", thrown);
  }

  /**
   * The locked end of a registration: activates the knote if {@code event} or an activation came
   * meanwhile, queues it if active and enabled, and takes it out of flux (waiters are not woken).
   */
  void leaveRegistrationLocked(KNote kn, boolean event) {
    if (event || (kn.status & REACTIVATED) != 0) {
      kn.status |= ACTIVE;
    }
    kn.status &= ~(SCAN | REACTIVATED | INFLUX);
    if ((kn.status & (ACTIVE | DISABLED | QUEUED)) == ACTIVE) {
      enqueueLocked(kn);
    }
  }

  // ---------------------------------------------------------------- drop

  /**
   * {@code knote_drop}: detaches (unless the filter already did) and removes a knote the caller put
   * in flux, discarding any pending event. Called without the lock; {@code attachedOffList} is
   * whether a knote on no list was attached ({@code DETACHED} clear), read by the caller under the
   * lock. Returns what {@code detach} threw, if anything: the knote is dropped all the same.
   */
  private RuntimeException drop(KNote kn, boolean attachedOffList) {
    try {
      return detach(kn, attachedOffList);
    } finally {
      dropUnattached(kn);
    }
  }

  /**
   * The first half of {@link #drop}, without the lock: stops posts from reaching the knote and
   * calls {@code f_detach} if it is attached. Returns what {@code detach} threw.
   */
  RuntimeException detach(KNote kn, boolean attachedOffList) {
    KNoteList list = kn.list();
    boolean attached = attachedOffList;
    if (list != null) {
      list.lock();
      try {
        kn.membership.dropping = true;
        attached = list.contains(kn);
      } finally {
        list.unlock();
      }
    }
    if (attached) {
      try {
        kn.ops.detach(kn);
      } catch (RuntimeException e) {
        return e;
      }
    }
    return null;
  }

  /** The second half of {@link #drop}: unlink from table and queue, release the filter. */
  private void dropUnattached(KNote kn) {
    lock();
    try {
      unlinkDroppedLocked(kn);
      fluxWakeupLocked();
    } finally {
      unlock();
    }
    Filters.release(kn.filter);
  }

  /**
   * Unlinks a knote in flux from the table and the queue and marks it dropped; with the lock held.
   * The caller wakes flux waiters and releases the filter.
   */
  void unlinkDroppedLocked(KNote kn) {
    table.remove(kn, kn.isFd);
    if ((kn.status & QUEUED) != 0) {
      queue.remove(kn);
      readinessMayChange();
    }
    queue.forget(kn);
    kn.status = (kn.status & ~(QUEUED | ACTIVE | INFLUX | SCAN)) | DROPPED | DETACHED;
  }

  /** {@code knote_fdclose}: drops every knote on descriptor {@code fd}, without an event. */
  void descriptorClosed(int fd) {
    lock();
    try {
      while (true) {
        KNote kn = table.firstOnFd(fd);
        if (kn == null) {
          return;
        }
        if ((kn.status & INFLUX) != 0) {
          fluxWait();
          continue;
        }
        kn.status |= INFLUX;
        boolean attachedOffList = (kn.status & DETACHED) == 0;
        unlock();
        try {
          drop(kn, attachedOffList);
        } finally {
          lock();
        }
      }
    } finally {
      unlock();
    }
  }

  // ---------------------------------------------------------------- kqueue_scan

  private int scan(KEvent[] evArr, KEventBuffer evBuf, int maxevents, long nanos)
      throws KQueueException {
    if (maxevents == 0) {
      return 0;
    }
    long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
    int n = 0;
    boolean harvested = false;
    lock();
    KNote marker = takeMarker();
    EventSlot slot = (EventSlot) marker.hook();
    try {
      retry:
      while (true) {
        if (closed) {
          throw closedError();
        }
        if (queue.count() == 0) {
          if (!waitForEvents(nanos, deadline)) {
            return 0;
          }
          harvested = true;
          continue;
        }
        if (!harvested) {
          // Events are queued, and more may wait in the pump's source: collect those too when no
          // other thread polls it, so that the pump's thread need not while this one keeps calling.
          harvested = true;
          EventPump p = pump;
          if (p != null && p.tryLead()) {
            lead(p, 0);
          }
          continue;
        }
        queue.insertTail(marker);
        while (n < maxevents) {
          KNote kn = queue.first();
          if (kn != marker && ((kn.status & MARKER) != 0 || (kn.status & INFLUX) != 0)) {
            fluxWait();
            continue;
          }
          if (kn == marker) {
            queue.unlink(marker);
            fluxWakeupLocked(); // scanners that saw our marker at the head waited for it
            if (n == 0) {
              continue retry;
            }
            return n;
          }
          if ((kn.status & DISABLED) != 0) {
            kn.status &= ~QUEUED;
            queue.remove(kn);
            continue;
          }
          if ((kn.flags() & EV_DROP) != 0) {
            // the filter asked for the knote to go without an event (proc exit without interest)
            kn.status = (kn.status & ~QUEUED) | INFLUX;
            queue.remove(kn);
            boolean attachedOffList = (kn.status & DETACHED) == 0;
            unlock();
            try {
              drop(kn, attachedOffList);
            } finally {
              lock();
            }
            continue;
          }
          if (deliver(kn, slot)) {
            store(evArr, evBuf, n++, slot.ident, slot.filter, slot.flags, slot.fflags, slot.data,
                slot.udata);
          }
        }
        queue.unlink(marker);
        fluxWakeupLocked();
        return n;
      }
    } finally {
      if (queue.isLinked(marker)) { // left by an Error from a filter
        queue.unlink(marker);
        fluxWakeupLocked();
      }
      if (sleepers > 0 && queue.count() > 0) {
        events.signal(); // pass the wake-up on: events are left (FreeBSD wakes every sleeper)
      }
      slot.udata = null;
      returnMarker(marker);
      readinessMayChange();
      unlock();
    }
  }

  /**
   * Takes {@code kn} off the head of the queue and delivers it into {@code slot}; called and
   * returns with the lock held, drops it meanwhile unless the filter processes under it.
   */
  private boolean deliver(KNote kn, EventSlot slot) {
    KNoteList list = kn.list();
    if ((kn.flags() & EV_ONESHOT) != 0) {
      // Oneshot: the stored kevent as it is, not re-checked (FreeBSD), then the knote is dropped.
      kn.status = (kn.status & ~QUEUED) | INFLUX;
      queue.remove(kn);
      boolean attachedOffList = (kn.status & DETACHED) == 0;
      unlock();
      try {
        if (list != null) {
          list.lock();
        }
        try {
          kn.deliverTo(slot);
        } finally {
          if (list != null) {
            list.unlock();
          }
        }
        drop(kn, attachedOffList);
      } finally {
        lock();
      }
      return true;
    }
    kn.status |= INFLUX | SCAN;
    queue.unlink(kn); // still QUEUED and counted: concurrent activations do not queue it again
    boolean dropLock = list != null || !kn.ops.processesUnderKQueueLock();
    if (dropLock) {
      unlock();
    }
    boolean delivered;
    boolean dropAfterDelivery = false;
    boolean attachedOffList = false;
    Error error = null;
    if (list != null) {
      list.lock();
    }
    try {
      try {
        delivered = kn.ops.process(kn, slot);
      } catch (RuntimeException e) {
        slot.put(kn.ident, kn.filter, kn.flags() | EV_ERROR, 0, Errno.EIO, kn.udata);
        delivered = true;
      } catch (Error e) {
        error = e;
        delivered = false;
      }
      if (dropLock) {
        lock();
      }
      queue.uncount();
      int flags = kn.flags();
      if (delivered && (slot.flags & (EV_ONESHOT | EV_ERROR)) == EV_ONESHOT) {
        // What was just delivered says oneshot: the knote became oneshot while processed (its
        // source revoked it, knlist_clear), and that was its last event, as if the scan had found
        // it oneshot. It stays in flux for the drop below, and a reactivation meanwhile must not
        // queue it for a second delivery. (A filter that delivers an earlier event of a knote
        // already marked oneshot, as NOTE_TRACK's NOTE_CHILD before the exit, leaves the bit out
        // of that event, and the knote is queued again for its last one.)
        kn.status &= ~(QUEUED | ACTIVE | SCAN | REACTIVATED);
        dropAfterDelivery = true;
        attachedOffList = (kn.status & DETACHED) == 0;
      } else if (delivered && (flags & (EV_CLEAR | EV_DISPATCH)) == 0
          && (slot.flags & EV_ERROR) == 0) {
        queue.insertTail(kn); // level-triggered: behind the marker, so once per call
      } else {
        kn.status &= ~(QUEUED | ACTIVE);
        if (delivered && (flags & EV_DISPATCH) != 0) {
          kn.status |= DISABLED;
        }
      }
      if (!dropAfterDelivery) {
        boolean reactivated = (kn.status & REACTIVATED) != 0;
        kn.status &= ~(INFLUX | SCAN | REACTIVATED);
        if (reactivated) {
          kn.activateLocked();
        }
        fluxWakeupLocked();
      }
    } finally {
      if (list != null) {
        list.unlock();
      }
    }
    if (dropAfterDelivery) {
      unlock();
      try {
        drop(kn, attachedOffList);
      } finally {
        lock();
      }
    }
    if (error != null) {
      throw error;
    }
    return delivered;
  }

  /**
   * Waits until the queue may hold events, with the lock held (dropped meanwhile): in the kqueue's
   * {@link EventPump} when this thread can lead it, so that the source's events reach this thread
   * without a hand-off, else asleep. False on timeout or interrupt (the interrupt status is kept);
   * with {@code nanos == 0}, false unless a poll of the pump queued something.
   */
  private boolean waitForEvents(long nanos, long deadline) {
    EventPump p = pump;
    if (p == null) {
      return nanos != 0 && sleep(nanos < 0, deadline);
    }
    long wait = nanos <= 0 ? nanos : deadline - System.nanoTime();
    if (nanos > 0 && wait <= 0) {
      return false;
    }
    boolean canLead = wait <= 0 || wait >= p.minLeadNanos();
    if (canLead && p.tryLead()) {
      lead(p, wait);
      return nanos == 0 ? queue.count() > 0 : !Thread.currentThread().isInterrupted();
    }
    if (nanos == 0) {
      return false;
    }
    if (!canLead) {
      return sleep(false, deadline);
    }
    p.follow(this);
    try {
      return sleep(nanos < 0, deadline);
    } finally {
      p.unfollow(this);
    }
  }

  /** Polls {@code p}, whose lead this thread took, with the lock held (dropped meanwhile). */
  private void lead(EventPump p, long wait) {
    pumper = Thread.currentThread();
    pumping = p;
    unlock();
    try {
      p.poll(wait);
    } finally {
      p.release();
      lock();
      pumper = null;
      pumping = null;
    }
  }

  /** Sleeps for an event; false on timeout or interrupt (the interrupt status is kept). */
  private boolean sleep(boolean forever, long deadline) {
    sleepers++;
    try {
      if (forever) {
        events.await();
        return true;
      }
      long left = deadline - System.nanoTime();
      return left > 0 && events.awaitNanos(left) > 0 || queue.count() > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      sleepers--;
    }
  }

  // ---------------------------------------------------------------- queue and flux

  /** {@code knote_enqueue}: with the lock held. */
  void enqueueLocked(KNote kn) {
    kn.status |= QUEUED;
    queue.insertTail(kn);
    if (sleepers > 0) {
      events.signal();
    }
    if (pumper != null && pumper != Thread.currentThread()) {
      wakePump = true;
    }
    if (!watchers.isEmpty() || readiness != null) {
      notifyPending = true;
    }
  }

  /**
   * {@link KNote#deactivate()}: with the lock held, for a knote a registration holds in flux, which
   * no scan has unlinked. An activation that arrived during the registration is dropped too.
   */
  void deactivateLocked(KNote kn) {
    if ((kn.status & QUEUED) != 0) {
      queue.remove(kn);
      readinessMayChange();
    }
    kn.status &= ~(QUEUED | ACTIVE | REACTIVATED);
  }

  private void fluxWait() {
    fluxWaiters++;
    try {
      flux.awaitUninterruptibly();
    } finally {
      fluxWaiters--;
    }
  }

  void fluxWakeupLocked() {
    if (fluxWaiters > 0) {
      flux.signalAll();
    }
  }

  private void readinessMayChange() {
    if (readiness != null) {
      notifyPending = true;
    }
  }

  /**
   * A marker from the pool. Its slot keeps the reference, so that giving it back (in the same order,
   * the usual case) stores nothing.
   */
  private KNote takeMarker() {
    if (freeMarkers > 0) {
      return markers[--freeMarkers];
    }
    KNote marker = new KNote(this, -1, (short) 0, null, false);
    marker.status = MARKER;
    marker.setHook(new EventSlot());
    return marker;
  }

  private void returnMarker(KNote marker) {
    if (freeMarkers == markers.length) {
      markers = java.util.Arrays.copyOf(markers, freeMarkers * 2);
    }
    if (markers[freeMarkers] != marker) {
      markers[freeMarkers] = marker;
    }
    freeMarkers++;
  }

  void lock() {
    lock.lock();
  }

  /** Whether the calling thread holds this kqueue's lock; for assertions. */
  boolean holdsLock() {
    return lock.isHeldByCurrentThread();
  }

  /**
   * Releases the lock, then tells watchers what changed meanwhile. A nested release (a filter's
   * {@code process} under the lock that activates its knote) leaves the telling to the outermost
   * one, so that watchers' list locks are never taken under this lock.
   */
  void unlock() {
    if (lock.getHoldCount() > 1) {
      lock.unlock();
      return;
    }
    boolean notify = notifyPending;
    notifyPending = false;
    EventPump wake = wakePump ? pumping : null;
    wakePump = false;
    lock.unlock();
    if (wake != null) {
      wake.wakeup();
    }
    if (notify) {
      watchers.post(0);
      ReadinessSignal signal = readiness;
      if (signal != null) {
        synchronized (readinessLock) {
          signal.set(queue.count() > 0);
        }
      }
    }
  }

  /**
   * From now on this kqueue's sleepers wait on {@code p} themselves when they can. A kqueue has
   * one pump, which a thread in {@code kevent} can lead; events of another pump reach it through
   * that pump's own thread. It keeps the first pump it is given, except that one whose source
   * waits in a system call of coarser resolution (epoll's, inotify's) replaces one of finer
   * resolution (the timer service's), as sockets and files came before timers became a pump: the
   * timer service's thread fires a timer at its deadline when nobody leads it, while a descriptor
   * event that the epoll thread hands over also waited for that thread to wake.
   */
  void usePump(EventPump p) {
    EventPump current = pump;
    if (current == p || current != null && !replaces(p, current)) {
      return;
    }
    lock();
    try {
      current = pump;
      if (current == null || current != p && replaces(p, current)) {
        pump = p;
      }
    } finally {
      unlock();
    }
  }

  private static boolean replaces(EventPump candidate, EventPump current) {
    return candidate.minLeadNanos() > current.minLeadNanos();
  }

  /** {@link EventPump} offers its lead: wake a sleeper, which takes it if it still needs it. */
  void offerLead() {
    lock();
    try {
      if (sleepers > 0) {
        events.signal();
      }
    } finally {
      unlock();
    }
  }

  // ---------------------------------------------------------------- nesting and descriptors

  /** {@code kq_count}: the number of pending events, for a watching kqueue. */
  int pendingCount() {
    return queue.count();
  }

  KNoteList watchers() {
    return watchers;
  }

  void forEachWatcher(Consumer<EmulatedKQueue> action) {
    watchers.forEachOwner(action);
  }

  @Override
  public int fd() throws KQueueException {
    if (closed) {
      throw closedError();
    }
    synchronized (readinessLock) {
      if (readiness == null) {
        ReadinessSignal signal = Descriptors.support().newReadinessSignal();
        Descriptors.registerKQueue(signal.fd(), this);
        readiness = signal;
        signal.set(queue.count() > 0);
      }
      return readiness.fd();
    }
  }

  // ---------------------------------------------------------------- close

  @Override
  public void close() {
    List<KNote> all = new ArrayList<>();
    lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      events.signalAll();
      wakePump = pumper != null;
      flux.signalAll();
      table.forEach(all::add);
      for (KNote kn : all) {
        while ((kn.status & (INFLUX | DROPPED)) == INFLUX) {
          fluxWait();
        }
        if ((kn.status & DROPPED) != 0) {
          continue;
        }
        kn.status |= INFLUX;
        boolean attachedOffList = (kn.status & DETACHED) == 0;
        unlock();
        try {
          drop(kn, attachedOffList);
        } finally {
          lock();
        }
      }
    } finally {
      unlock();
    }
    watchers.revoke(0);
    Descriptors.closed(this);
    synchronized (readinessLock) {
      if (readiness != null) {
        Descriptors.unregisterKQueue(readiness.fd());
        readiness.close();
      }
    }
  }

  /**
   * Checks the kernel's invariants and returns the number of knotes; for tests. Waits for no flux:
   * call it when no other thread uses the queue.
   *
   * @return the number of knotes registered
   * @throws IllegalStateException naming the first broken invariant
   */
  public int checkInvariants() {
    lock();
    try {
      int[] queued = {0};
      queue.forEach(kn -> {
        if ((kn.status & MARKER) != 0) {
          throw new IllegalStateException("marker left on the queue");
        }
        if ((kn.status & QUEUED) == 0 || (kn.status & ACTIVE) == 0) {
          throw new IllegalStateException("queued knote not QUEUED|ACTIVE: " + kn);
        }
        queued[0]++;
      });
      if (queued[0] != queue.count()) {
        throw new IllegalStateException("kq_count " + queue.count() + " but " + queued[0] + " queued");
      }
      int[] size = {0};
      int[] marked = {0};
      table.forEach(kn -> {
        size[0]++;
        if ((kn.status & QUEUED) != 0) {
          marked[0]++;
        }
        if ((kn.status & (INFLUX | SCAN | DROPPED | REACTIVATED)) != 0) {
          throw new IllegalStateException("knote left in a transient state: " + kn);
        }
        if ((kn.status & (ACTIVE | DISABLED | QUEUED)) == ACTIVE) {
          throw new IllegalStateException("active enabled knote not queued: " + kn);
        }
      });
      if (marked[0] != queued[0]) {
        // a knote marked QUEUED off the queue is never queued again; one queued but not in the
        // table was dropped and still counts
        throw new IllegalStateException(
            marked[0] + " knotes marked QUEUED but " + queued[0] + " on the queue");
      }
      if (size[0] != table.size()) {
        throw new IllegalStateException("table size " + table.size() + " but " + size[0] + " knotes");
      }
      return size[0];
    } finally {
      unlock();
    }
  }

  private static KQueueException closedError() {
    return new KQueueException("kevent", Errno.EBADF, "the kqueue is closed");
  }

  private static String describe(long ident, short filter) {
    return KEvent.filterName(filter) + " ident " + ident;
  }

  @Override
  public String toString() {
    return "EmulatedKQueue[knotes=" + table.size() + ", pending=" + queue.count() + "]";
  }
}
