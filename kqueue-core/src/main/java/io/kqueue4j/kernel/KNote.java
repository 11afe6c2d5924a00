package io.kqueue4j.kernel;

import static io.kqueue4j.kernel.KNoteState.ACTIVE;
import static io.kqueue4j.kernel.KNoteState.DISABLED;
import static io.kqueue4j.kernel.KNoteState.DROPPED;
import static io.kqueue4j.kernel.KNoteState.QUEUED;
import static io.kqueue4j.kernel.KNoteState.REACTIVATED;
import static io.kqueue4j.kernel.KNoteState.SCAN;

import io.kqueue4j.KQueue;

/**
 * {@code struct knote}: one registration of (ident, filter) in one kqueue.
 *
 * <p>Filters see the knote's kevent fields ({@code kn_kevent}): {@link #flags()}, {@link
 * #fflags()}, {@link #data()}, which are what a delivery returns, and the user's input, {@link
 * #sfflags()} and {@link #sdata()}. These are guarded by the lock of the {@link KNoteList} the
 * knote is on, or by the knote being in flux; filters without a list must synchronize their own
 * updates (see {@link FilterOps}). The status bits ({@link KNoteState}) are guarded by the kqueue's
 * lock.
 *
 * <p>The setters are for the knote's filter, inside its {@link FilterOps} methods; {@link #hook()}
 * follows the same rule as the kevent fields.
 */
public final class KNote {
  final EmulatedKQueue kq;
  final long ident;
  final short filter;
  /** Whether the ident is a descriptor: the knote lives in the table's descriptor array. */
  final boolean isFd;
  FilterOps ops;

  private int flags;
  private int fflags;
  private long data;
  Object udata;
  private int sfflags;
  private long sdata;
  private Object hook;

  /** {@link KNoteState} bits; guarded by {@code kq.lock}. */
  int status;
  /** Chain in the kqueue's descriptor array or hash. */
  KNote link;
  /** The knote's slot in the active queue's ring, -1 when it is not in the queue. */
  int queueSlot = -1;
  /** The knote's id in the active queue's table of knotes, from its first activation; 0 before. */
  int queueId;
  /**
   * The knote's place on a source's list ({@code kn_selnext}), from the first {@link KNoteList#add}
   * on; null for the knotes of sources without lists (user events, timers), which so stay smaller.
   */
  KNoteList.Membership membership;

  KNote(EmulatedKQueue kq, long ident, short filter, FilterOps ops, boolean isFd) {
    this.kq = kq;
    this.ident = ident;
    this.filter = filter;
    this.ops = ops;
    this.isFd = isFd;
  }

  /** The source list this knote was added to, or null; see {@link #membership}. */
  KNoteList list() {
    KNoteList.Membership m = membership;
    return m == null ? null : m.list;
  }

  /**
   * {@code kn_id}: the ident the knote was registered with.
   *
   * @return the ident: a descriptor, a pid, a signal number, a timer or user id, as the filter
   *     reads it
   */
  public long ident() {
    return ident;
  }

  /**
   * {@code kn->kn_kq}: the kqueue this knote belongs to, where a filter registers knotes of its own
   * on the knote's behalf ({@code NOTE_TRACK} adds the child's knote there, as {@code knote_fork}
   * does). Registering from a filter callback must not happen while the filter holds a lock that
   * the kernel's calls into it take.
   *
   * @return the emulated kqueue that holds this knote
   */
  public KQueue kqueue() {
    return kq;
  }

  /**
   * Tells the knote's kqueue that its events come from {@code pump}, so that a thread waiting in
   * {@code kevent} there polls the pump's source itself rather than waiting for the pump's thread
   * to hand each event over. Called by a filter's {@code attach}; the kqueue keeps the first pump
   * it is given, unless a pump that waits in a coarser system call (epoll) comes after a finer one
   * (the timer service), which it then replaces.
   *
   * @param pump the event source behind this knote
   */
  public void usePump(EventPump pump) {
    kq.usePump(pump);
  }

  /**
   * {@code kn_filter}: the filter the knote was registered with.
   *
   * @return the filter id, an {@code EVFILT_*} value
   */
  public short filter() {
    return filter;
  }

  /**
   * The flags delivered with the event: the user's flags less the actions, plus filter flags.
   *
   * @return the {@code EV_*} flags, such as {@code EV_CLEAR}, {@code EV_ONESHOT}, {@code EV_EOF}
   */
  public int flags() {
    return flags;
  }

  /**
   * ORs flags such as {@code EV_EOF}, {@code EV_CLEAR} or {@code EV_ONESHOT} into the knote.
   *
   * @param bits the {@code EV_*} bits to set
   */
  public void addFlags(int bits) {
    flags |= bits;
  }

  /**
   * Clears flags, such as {@code EV_EOF} when a source recovers.
   *
   * @param bits the {@code EV_*} bits to clear
   */
  public void clearFlags(int bits) {
    flags &= ~bits;
  }

  void setFlags(int flags) {
    this.flags = flags;
  }

  /**
   * The fflags to deliver.
   *
   * @return the filter-specific {@code NOTE_*} bits; 0 until the filter sets them
   */
  public int fflags() {
    return fflags;
  }

  /**
   * Replaces the fflags to deliver.
   *
   * @param fflags the filter-specific {@code NOTE_*} bits, or 0
   */
  public void setFflags(int fflags) {
    this.fflags = fflags;
  }

  /**
   * ORs {@code NOTE_*} bits into the fflags to deliver.
   *
   * @param bits the bits to set
   */
  public void addFflags(int bits) {
    fflags |= bits;
  }

  /**
   * The data to deliver.
   *
   * @return the filter-specific value, such as a byte count or an exit status; 0 until the filter
   *     sets it
   */
  public long data() {
    return data;
  }

  /**
   * Replaces the data to deliver.
   *
   * @param data the filter-specific value, or an errno with {@code EV_ERROR}
   */
  public void setData(long data) {
    this.data = data;
  }

  /**
   * The fflags the user registered ({@code kn_sfflags}).
   *
   * @return the {@code fflags} of the latest change, or what the filter stored in their place
   */
  public int sfflags() {
    return sfflags;
  }

  /**
   * Stores the user's fflags, as {@link FilterOps#touch} does for a change.
   *
   * @param sfflags the fflags to keep, such as the change's or a value derived from them
   */
  public void setSfflags(int sfflags) {
    this.sfflags = sfflags;
  }

  /**
   * The data the user registered ({@code kn_sdata}).
   *
   * @return the {@code data} of the latest change, or what the filter stored in its place
   */
  public long sdata() {
    return sdata;
  }

  /**
   * Stores the user's data, as {@link FilterOps#touch} does for a change.
   *
   * @param sdata the data to keep
   */
  public void setSdata(long sdata) {
    this.sdata = sdata;
  }

  /**
   * The user's udata.
   *
   * @return the {@code udata} of the change that added the knote, replaced by each later change
   *     without {@code EV_KEEPUDATA}; delivered unchanged
   */
  public Object udata() {
    return udata;
  }

  /**
   * The filter's private per-knote object ({@code kn_hook}).
   *
   * @return what the filter last passed to {@link #setHook}, or {@code null}
   */
  public Object hook() {
    return hook;
  }

  /**
   * Sets the filter's private per-knote object, usually in {@link FilterOps#attach}.
   *
   * @param hook the filter's object, such as the source the knote is on, or {@code null}
   */
  public void setHook(Object hook) {
    this.hook = hook;
  }

  /**
   * Writes this knote's kevent ({@code *kevp = kn->kn_kevent}) to {@code out}.
   *
   * @param out where to write, usually the sink of {@link FilterOps#process}
   */
  public void deliverTo(KEventSink out) {
    out.put(ident, filter, flags, fflags, data, udata);
  }

  /**
   * {@code KNOTE_ACTIVATE}: marks the event true and queues the knote unless it is queued or
   * disabled. Safe from any thread; a filter whose knote is on a {@link KNoteList} uses {@link
   * KNoteList#post} instead. Ignored once the knote has been dropped.
   */
  public void activate() {
    kq.lock();
    try {
      activateLocked();
    } finally {
      kq.unlock();
    }
  }

  /**
   * Whether the knote is disabled ({@code KN_DISABLED}: by {@code EV_DISABLE}, or by {@code
   * EV_DISPATCH} after a delivery). Read without the kqueue's lock, so a hint only: a filter may
   * skip work that only an enabled knote needs, because {@code EV_ENABLE} clears the state before
   * the kernel calls {@link FilterOps#event} again.
   *
   * @return {@code true} when the knote was disabled at the time of the read
   */
  public boolean isDisabled() {
    return (status & DISABLED) != 0;
  }

  /**
   * Takes back the knote's activation because its filter has discarded the pending event: the knote
   * leaves the active queue and is inactive until activated again ({@code knote_dequeue} and
   * clearing {@code KN_ACTIVE}, as FreeBSD's {@code filt_timertouch} does when a timer is re-added).
   * Only for {@link FilterOps#touch}, which holds the knote in flux; takes the kqueue's lock.
   */
  public void deactivate() {
    kq.lock();
    try {
      kq.deactivateLocked(this);
    } finally {
      kq.unlock();
    }
  }

  /** {@link #activate()} with the kqueue lock held. */
  void activateLocked() {
    if ((status & DROPPED) != 0) {
      return;
    }
    if ((status & SCAN) != 0) {
      status |= REACTIVATED;
      return;
    }
    status |= ACTIVE;
    if ((status & (QUEUED | DISABLED)) == 0) {
      kq.enqueueLocked(this);
    }
  }

  @Override
  public String toString() {
    return "KNote[ident=" + ident + ", filter=" + io.kqueue4j.KEvent.filterName(filter)
        + ", status=0x" + Integer.toHexString(status) + "]";
  }
}
