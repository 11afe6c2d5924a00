package io.kqueue4j.kernel;

import io.kqueue4j.KQueueException;

/**
 * {@code struct filterops}: the operations of one filter, called by the kernel as FreeBSD's {@code
 * kern_event.c} calls them.
 *
 * <p>Every method is called with the knote <em>in flux</em>, or under the lock of the knote list
 * the knote is on, so that no two of them run at once for one knote, except {@link #event} called
 * by a source thread through {@link KNoteList#post}, which is serialized with {@link #touch} and
 * {@link #process} by that list's lock. The kqueue's own lock is never held while a filter runs.
 * Filters that keep event state outside any {@link KNoteList} (timers, for instance) must make
 * their own updates atomic with {@link #process}.
 */
public interface FilterOps {

  /**
   * {@code f_isfd}: whether the ident is a file descriptor. Such knotes are kept in an array indexed
   * by descriptor, registration fails with {@code EBADF} when the descriptor is not open, and
   * closing the descriptor through {@link io.kqueue4j.FileDescriptors#close} drops them. Otherwise
   * knotes are hashed by ident and have no auto-close behaviour.
   *
   * @return {@code true} when idents are descriptors; {@code false} (the default) when they are
   *     other numbers, such as pids, signal numbers or timer ids
   */
  default boolean isFd() {
    return false;
  }

  /**
   * {@code f_attach}: called when {@code EV_ADD} is supplied and no matching knote exists. The knote
   * is already linked into its kqueue but in flux, so no other change can reach it; the user's
   * {@code fflags} and {@code data} have been moved into {@link KNote#sfflags()} and {@link
   * KNote#sdata()}, and {@link KNote#fflags()} and {@link KNote#data()} are zero. The filter checks
   * them, attaches the knote to its source (usually {@link KNoteList#add}), may set {@code EV_CLEAR}
   * or {@code EV_ONESHOT} with {@link KNote#addFlags}, and returns; or it throws, after which the
   * knote is dropped without {@link #detach} and the change fails with the exception's errno. After
   * a successful attach the kernel calls {@link #event}{@code (kn, 0)} to decide whether the knote
   * starts active. A filter that attaches to no {@link KNoteList} counts as attached once this
   * returns.
   *
   * @param kn the new knote, in flux and on no list; the kernel holds no lock, neither the kqueue's
   *     nor a list's
   * @throws KQueueException the errno and a message that names the problem, such as {@code EINVAL}
   *     for a bad {@code fflags} or {@code ESRCH} for a process that is gone
   */
  void attach(KNote kn) throws KQueueException;

  /**
   * {@code f_detach}: called once when an attached knote is dropped ({@code EV_DELETE}, oneshot
   * delivery, descriptor or queue close), unless the filter detached it already ({@link
   * KNoteList#remove} from {@link #event}). After it returns the filter must not activate the knote
   * again.
   *
   * @param kn the knote being dropped, in flux; the kernel holds no lock, and posts to its list
   *     already skip it
   */
  void detach(KNote kn);

  /**
   * {@code f_event}: called by {@link KNoteList#post} with the source's hint, and by the kernel with
   * hint 0 after attach and after a modifying change, to re-check the condition. Records in the
   * knote what the event says ({@link KNote#setData}, {@link KNote#addFflags}, {@code EV_EOF}) and
   * returns whether the condition is true, which activates the knote. A filter that wants the
   * knote gone without an event sets {@code EV_DROP} and returns {@code true}: the scan then drops
   * it silently, as FreeBSD's does for a process exit nobody asked for.
   *
   * @param kn the knote, under the lock of its list if it is on one; in flux when the kernel calls,
   *     not necessarily when a post does
   * @param hint the value the source passed to {@link KNoteList#post}, whose meaning the filter and
   *     its source agree on; 0 when the kernel re-checks
   * @return {@code true} when the condition holds, which activates the knote; {@code false} leaves
   *     its state as it is
   */
  boolean event(KNote kn, long hint);

  /**
   * {@code f_touch(EVENT_REGISTER)}: called for every non-delete change to an existing knote, after
   * {@code udata} has been updated (unless {@code EV_KEEPUDATA}). The default saves the change's
   * {@code fflags} and {@code data} as {@code sfflags}/{@code sdata}, as FreeBSD does for filters
   * without {@code f_touch}. The kernel then calls {@link #event}{@code (kn, 0)} unless the knote is
   * disabled.
   *
   * @param kn the existing knote, in flux, under the lock of its list if it is on one
   * @param flags the change's flags
   * @param fflags the change's fflags
   * @param data the change's data
   */
  default void touch(KNote kn, int flags, int fflags, long data) {
    kn.setSfflags(fflags);
    kn.setSdata(data);
  }

  /**
   * {@code f_process} (FreeBSD's re-check plus {@code f_touch(EVENT_PROCESS)}): called by the scan
   * just before a queued, enabled, non-oneshot knote is delivered. Writes the event into {@code out}
   * and returns {@code true}, or returns {@code false} when the condition no longer holds, in which
   * case the knote is deactivated without delivery. The default re-checks with {@link #event}{@code
   * (kn, 0)}, delivers the knote's kevent, and on {@code EV_CLEAR} resets {@code data} and {@code
   * fflags} as {@code kqueue_scan} does.
   *
   * @param kn the queued knote, in flux, under the lock of its list if it is on one
   * @param out the scan's slot for this delivery; put the event in it before returning {@code true}
   *     (a slot left unwritten still holds the scan's previous event)
   * @return {@code true} when an event was written to {@code out} and is delivered; {@code false}
   *     when the condition no longer holds, so nothing is delivered and the knote is deactivated. A
   *     {@code RuntimeException} thrown here is delivered as {@code EV_ERROR} with {@code EIO}
   */
  default boolean process(KNote kn, KEventSink out) {
    if (!event(kn, 0)) {
      return false;
    }
    kn.deliverTo(out);
    if ((kn.flags() & io.kqueue4j.KEvent.EV_CLEAR) != 0) {
      kn.setData(0);
      kn.setFflags(0);
    }
    return true;
  }

  /**
   * Whether {@link #process} may run with the kqueue's lock held, for knotes on no {@link
   * KNoteList}: the scan then delivers such a knote without releasing and retaking the lock, which
   * is most of the cost of delivering a knote whose {@code process} only reads and resets its own
   * state. FreeBSD's {@code kqueue_scan} drops the lock around every {@code f_event} because list
   * locks come before it; a filter answering {@code true} promises that its {@code process} takes
   * no lock that may be taken before a kqueue's lock (no list lock, no lock of a source that
   * activates knotes while holding it) and does not block. It may call {@link KNote#activate}: the
   * kqueue's lock is reentrant, and the knote is then marked reactivated as usual.
   *
   * @return {@code false} (the default) unless the filter keeps that promise
   */
  default boolean processesUnderKQueueLock() {
    return false;
  }
}
