package io.kqueue4j.filters.fsevent;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.EV_ONESHOT;
import static io.kqueue4j.KEvent.NOTE_REVOKE;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;

/**
 * {@code EVFILT_FSEVENT}: a knote on an {@link FsWatcher}, {@code ident} = {@link FsWatcher#id()};
 * after {@code filt_fsevent_common} in XNU's {@code vfs_fsevents.c} for {@code EVFILT_READ} on a
 * watcher's clone descriptor.
 *
 * <ul>
 *   <li>Active while the watcher holds records; {@code data} = {@link FsWatcher#pending()}, which
 *       counts a loss not yet reported as one record, so a drop marker alone fires the knote (XNU
 *       does not count it; reference note decision D-F3). {@code fflags} is 0.
 *   <li>When every root of the watcher has disappeared, or the watcher is closed, the knote fires
 *       once with {@code EV_EOF}, {@code NOTE_REVOKE} in {@code fflags} and {@code EV_ONESHOT}, and
 *       is then dropped ({@link io.kqueue4j.kernel.KNoteList#revoke}); a knote added to a watcher
 *       already revoked does the same. XNU defines this branch but never posts {@code NOTE_REVOKE}.
 *   <li>Not a descriptor filter: an unknown or closed watcher id fails with {@code EBADF}, as a
 *       closed clone descriptor would. {@code fflags} on input must be 0 ({@code EINVAL}),
 *       reserved for a type mask.
 * </ul>
 */
public final class FsEventFilter implements FilterOps {
  /** Creates the filter; {@link FsEventFilterProvider} installs one for every kqueue. */
  public FsEventFilter() {}

  @Override
  public void attach(KNote kn) throws KQueueException {
    if (kn.sfflags() != 0) {
      throw new KQueueException("kevent", Errno.EINVAL,
          "EVFILT_FSEVENT takes no fflags: 0x" + Integer.toHexString(kn.sfflags()));
    }
    FsWatcher watcher = FsWatcher.byId(kn.ident());
    if (watcher == null) {
      throw new KQueueException("kevent", Errno.EBADF, "no open FsWatcher with id " + kn.ident());
    }
    kn.setHook(watcher);
    watcher.knotes().add(kn);
  }

  @Override
  public void detach(KNote kn) {
    ((FsWatcher) kn.hook()).knotes().remove(kn);
  }

  @Override
  public boolean event(KNote kn, long hint) {
    FsWatcher watcher = (FsWatcher) kn.hook();
    if (hint == NOTE_REVOKE || watcher.isRevoked()) {
      if ((kn.flags() & EV_EOF) == 0) {
        kn.addFlags(EV_EOF | EV_ONESHOT);
        kn.addFflags(NOTE_REVOKE);
      }
    }
    long n = watcher.pending();
    kn.setData(n);
    return n > 0 || (kn.flags() & EV_EOF) != 0;
  }
}
