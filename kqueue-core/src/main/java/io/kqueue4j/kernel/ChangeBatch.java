package io.kqueue4j.kernel;

import static io.kqueue4j.KEvent.EV_ADD;
import static io.kqueue4j.KEvent.EV_DELETE;
import static io.kqueue4j.KEvent.EV_DISABLE;
import static io.kqueue4j.KEvent.EV_ENABLE;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.EV_KEEPUDATA;
import static io.kqueue4j.KEvent.EV_RECEIPT;
import static io.kqueue4j.KEvent.EV_SYSFLAGS;
import static io.kqueue4j.kernel.KNoteState.DETACHED;
import static io.kqueue4j.kernel.KNoteState.DISABLED;
import static io.kqueue4j.kernel.KNoteState.INFLUX;
import static io.kqueue4j.kernel.KNoteState.REACTIVATED;
import static io.kqueue4j.kernel.KNoteState.SCAN;

import io.kqueue4j.Errno;
import io.kqueue4j.KEvent;
import io.kqueue4j.KEventBuffer;
import io.kqueue4j.KQueueException;

/**
 * A run of consecutive changes of one changelist registered with the kqueue lock taken twice for
 * the whole run instead of two or three times per change: {@code EV_ADD} (with or without {@code
 * EV_ENABLE}/{@code EV_DISABLE}) and {@code EV_DELETE} of knotes whose filter is not on descriptors.
 *
 * <ol>
 *   <li>{@link #gather}, one lock hold: looks each change's knote up, creates the new ones, and puts
 *       every knote of the run in flux, as {@code kqueue_register} does before it drops the lock.
 *       The run ends before a change it cannot take: another action, a descriptor filter, a knote
 *       already in flux (which may be one of the run's own), a delete of a missing knote.
 *   <li>{@link #process}, no kqueue lock: for each change in order, what {@code kqueue_register}
 *       does in flux: {@code f_attach} or {@code f_touch}, then {@code f_event}; or {@code f_detach}.
 *       The first change that fails ends it.
 *   <li>{@link #finish}, one lock hold: every processed change is completed in order (activated
 *       and queued, or unlinked and dropped) and leaves flux; the changes after a failed one are
 *       undone as if never seen, and the caller reports the failure and goes on from there, so
 *       that the outcome is that of registering the changes one at a time.
 * </ol>
 *
 * <p>A post or activation that reaches a knote of the run while it is in flux is serialized by its
 * list's lock or recorded as {@code REACTIVATED}, exactly as for a single registration: no hint is
 * lost. Other threads see the run's results at once, in the final lock hold.
 *
 * <p>Not thread-safe: each {@code kevent} call that has such runs makes a batch of its own.
 */
final class ChangeBatch {
  /** Changes per run: enough to make the two lock holds negligible, few enough to bound flux. */
  static final int CAPACITY = 256;

  // Codes of entries gathered but not processed: undone by finish.
  private static final byte ADD = 1;
  private static final byte MODIFY = 2;
  private static final byte DELETE_ATTACHED = 3;
  private static final byte DELETE_DETACHED = 4;
  // Codes of processed entries: completed by finish.
  private static final byte READY = 5;
  private static final byte READY_ACTIVE = 6;
  private static final byte DROP = 7;

  private final EmulatedKQueue kq;
  private final KNote[] knotes;
  private final byte[] codes;
  /** The status of a {@code MODIFY} knote before the run changed it, to undo the change. */
  private final int[] saved;
  private int size;
  private KEvent[] chArr;
  private KEventBuffer chBuf;
  /** The changelist index of entry 0. */
  private int from;
  /** Entries that completed without failure, counted from the first. */
  private int succeeded;
  private KQueueException failure;

  /** A batch for runs of up to {@code changes} changes (at most {@link #CAPACITY}). */
  ChangeBatch(EmulatedKQueue kq, int changes) {
    this.kq = kq;
    int capacity = Math.min(changes, CAPACITY);
    knotes = new KNote[capacity];
    codes = new byte[capacity];
    saved = new int[capacity];
  }

  /** Whether a change with these flags (system flags cleared) may join a run. */
  static boolean accepts(int flags) {
    int actions = flags & (EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE | EV_FORCEONESHOT
        | EV_RECEIPT);
    return actions == EV_DELETE || actions == EV_ADD || actions == (EV_ADD | EV_ENABLE)
        || actions == (EV_ADD | EV_DISABLE);
  }

  /**
   * Registers a run of changes starting at {@code start}; returns how many completed without
   * failure. When the change after them failed, {@link #takeFailure()} returns its error and the
   * caller reports it on that change; otherwise the caller registers the next change itself.
   *
   * @throws Error what a filter threw, once the run is completed or undone
   */
  int register(KEvent[] chArr, KEventBuffer chBuf, int start, int nchanges) {
    this.chArr = chArr;
    this.chBuf = chBuf;
    from = start;
    succeeded = 0;
    boolean gathered = false;
    kq.lock();
    try {
      gather(nchanges);
      gathered = true;
    } finally {
      if (!gathered) {
        finish(); // undoes what was gathered before the throw
      }
      kq.unlock();
    }
    if (size == 0) {
      return 0;
    }
    try {
      process();
    } finally {
      kq.lock();
      try {
        finish();
      } finally {
        kq.unlock();
      }
    }
    return succeeded;
  }

  /** The failure of the change after the completed ones, or null; forgets it. */
  KQueueException takeFailure() {
    KQueueException f = failure;
    failure = null;
    return f;
  }

  /** Phase 1, with the kqueue lock held. */
  private void gather(int nchanges) {
    size = 0;
    if (kq.isClosed()) {
      return;
    }
    for (int i = from; i < nchanges && size < knotes.length; i++) {
      if (chArr != null && chArr[i] == null) {
        return;
      }
      short filter = filter(i);
      int flags = flags(i) & 0xFFFF & ~EV_SYSFLAGS;
      if (filter == 0 || !accepts(flags)) {
        return;
      }
      FilterOps fops = Filters.peek(filter);
      if (fops == null || fops.isFd()) {
        return;
      }
      long ident = ident(i);
      KNote kn = kq.findLocked(ident, filter);
      if (kn != null && (kn.status & INFLUX) != 0) {
        return;
      }
      byte code;
      if ((flags & EV_DELETE) != 0) {
        if (kn == null) {
          return;
        }
        code = (kn.status & DETACHED) == 0 ? DELETE_ATTACHED : DELETE_DETACHED;
        kn.status |= INFLUX;
      } else if (kn == null) {
        kn = kq.newKNoteLocked(ident, filter, flags, fflags(i), data(i), udata(i), false);
        code = ADD;
      } else {
        saved[size] = kn.status;
        code = MODIFY;
        if ((flags & EV_ENABLE) != 0) {
          kn.status &= ~DISABLED;
        } else if ((flags & EV_DISABLE) != 0) {
          kn.status |= DISABLED;
        }
        kn.status |= INFLUX | SCAN;
      }
      knotes[size] = kn;
      codes[size] = code;
      size++;
    }
  }

  /**
   * Phase 2, without the kqueue lock; stops at the first failure, which it keeps in {@link
   * #failure} (an {@code Error} propagates). Entries it did not reach keep their gathered code.
   */
  private void process() {
    for (int p = 0; p < size; p++) {
      KNote kn = knotes[p];
      Throwable thrown;
      String method;
      switch (codes[p]) {
        case ADD -> {
          codes[p] = DROP; // until attach returns
          try {
            kn.ops.attach(kn);
          } catch (KQueueException e) {
            failure = new AttachError(e);
            return;
          } catch (RuntimeException e) {
            failure = new AttachError(Errno.EIO,
                KEvent.filterName(kn.filter) + " attach threw " + e, e);
            return;
          }
          codes[p] = READY;
          method = "event";
          thrown = check(kn, p);
        }
        case MODIFY -> {
          codes[p] = READY;
          int i = from + p;
          method = "touch";
          thrown = touch(kn, flags(i), fflags(i), data(i), udata(i));
          Throwable late = check(kn, p);
          if (thrown == null) {
            thrown = late;
            method = "event";
          }
        }
        default -> {
          boolean attachedOffList = codes[p] == DELETE_ATTACHED;
          codes[p] = DROP;
          method = "detach";
          thrown = kq.detach(kn, attachedOffList);
        }
      }
      if (thrown instanceof Error e) {
        throw e;
      }
      if (thrown != null) {
        failure = new KQueueException("kevent", Errno.EIO,
            KEvent.filterName(kn.filter) + " " + method + " threw " + thrown, thrown);
        return;
      }
      succeeded = p + 1;
    }
  }

  /** {@code f_touch(EVENT_REGISTER)} of an existing knote, under its list's lock. */
  private static Throwable touch(KNote kn, int flags, int fflags, long data, Object udata) {
    KNoteList list = kn.list();
    if (list != null) {
      list.lock();
    }
    try {
      if ((flags & EV_KEEPUDATA) == 0) {
        kn.udata = udata;
      }
      kn.ops.touch(kn, flags, fflags, data);
      return null;
    } catch (RuntimeException | Error e) {
      return e;
    } finally {
      if (list != null) {
        list.unlock();
      }
    }
  }

  /**
   * {@code f_event(kn, 0)} of a registered knote unless disabled, under its list's lock; entry
   * {@code p} becomes {@code READY_ACTIVE} when the event is true.
   */
  private Throwable check(KNote kn, int p) {
    if ((kn.status & DISABLED) != 0) { // stable while in flux
      return null;
    }
    KNoteList list = kn.list();
    if (list != null) {
      list.lock();
    }
    try {
      if (kn.ops.event(kn, 0)) {
        codes[p] = READY_ACTIVE;
      }
      return null;
    } catch (RuntimeException | Error e) {
      return e;
    } finally {
      if (list != null) {
        list.unlock();
      }
    }
  }

  /**
   * Phase 3, with the kqueue lock held: completes or undoes every entry, in order, and releases the
   * filters of the knotes dropped. Entries are not cleared: a batch lives for one call only.
   */
  private void finish() {
    for (int p = 0; p < size; p++) {
      KNote kn = knotes[p];
      switch (codes[p]) {
        case READY, READY_ACTIVE -> {
          if (kn.membership == null) {
            kn.status &= ~DETACHED; // attached to no list: attached once attach returned
          }
          kq.leaveRegistrationLocked(kn, codes[p] == READY_ACTIVE);
        }
        case ADD, DROP -> {
          kq.unlinkDroppedLocked(kn);
          Filters.release(kn.filter);
        }
        case MODIFY -> {
          boolean reactivated = (kn.status & REACTIVATED) != 0;
          kn.status = saved[p];
          if (reactivated) {
            kn.activateLocked();
          }
        }
        default -> kn.status &= ~INFLUX; // a delete not processed
      }
    }
    kq.fluxWakeupLocked();
  }

  private long ident(int i) {
    return chArr != null ? chArr[i].ident() : chBuf.ident(i);
  }

  private short filter(int i) {
    return chArr != null ? chArr[i].filter() : chBuf.filter(i);
  }

  private int flags(int i) {
    return chArr != null ? chArr[i].flags() : chBuf.flags(i);
  }

  private int fflags(int i) {
    return chArr != null ? chArr[i].fflags() : chBuf.fflags(i);
  }

  private long data(int i) {
    return chArr != null ? chArr[i].data() : chBuf.data(i);
  }

  private Object udata(int i) {
    return chArr != null ? chArr[i].udata() : chBuf.udata(i);
  }
}
