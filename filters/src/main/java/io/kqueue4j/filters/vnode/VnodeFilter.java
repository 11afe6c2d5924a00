package io.kqueue4j.filters.vnode;

import static io.kqueue4j.KEvent.EV_EOF;
import static io.kqueue4j.KEvent.NOTE_REVOKE;

import io.kqueue4j.Errno;
import io.kqueue4j.KQueueException;
import io.kqueue4j.kernel.EventPump;
import io.kqueue4j.kernel.FilterOps;
import io.kqueue4j.kernel.KNote;
import java.io.UncheckedIOException;

/**
 * {@code EVFILT_VNODE}: changes to the file or directory a descriptor refers to; see {@code
 * vfs_kqfilter}, {@code filt_vfsvnode} and {@code filt_vfsdetach} in FreeBSD's {@code vfs_subr.c}.
 *
 * <p>Attach finds the {@link Vnode} of the descriptor's object through the {@link VnodeSource} in
 * use ({@link VnodeSources}) and joins its knote list, so every knote on one object sees the same
 * events whatever descriptor and kqueue it came from. The source posts {@code NOTE_*} hints; {@link
 * #event} keeps the ones the knote asked for in {@code fflags}, where they accumulate until
 * delivery. {@code EV_CLEAR} is not forced: without it a delivered knote stays active and reports
 * the same bits again on every scan, as FreeBSD's does (decision D7). {@code NOTE_REVOKE} and a
 * revoked object set {@code EV_EOF} and fire even when not asked for.
 *
 * <p>One deliberate difference: FreeBSD ORs the whole hint into {@code fflags} when any of its bits
 * was asked for, so a hint that combines bits ({@code NOTE_WRITE|NOTE_EXTEND} from an extending
 * write, {@code NOTE_WRITE|NOTE_EXTEND|NOTE_LINK} on a directory from a cross-directory rename) can
 * report bits the knote did not ask for; here only requested bits are reported.
 */
public final class VnodeFilter implements FilterOps {
  /**
   * The only instance, which {@link VnodeFilterProvider} registers as the descriptor filter {@code
   * EVFILT_VNODE}; it keeps no state of its own.
   */
  public static final VnodeFilter INSTANCE = new VnodeFilter();

  private VnodeFilter() {}

  @Override
  public boolean isFd() {
    return true;
  }

  /**
   * {@code vfs_kqfilter}: joins the object's knote list. Fails with {@code EOPNOTSUPP} when no source
   * can watch files here or when the source cannot observe a requested bit, and with the source's
   * error (such as {@code ENOSPC} at the OS's watch limit).
   */
  @Override
  public void attach(KNote kn) throws KQueueException {
    VnodeSource source = VnodeSources.active();
    checkSupported(source, kn.ident(), kn.sfflags());
    Vnode vnode = source.acquire((int) kn.ident(), kn.sfflags());
    kn.setHook(vnode);
    vnode.knotes().add(kn);
    EventPump pump = vnode.pump();
    if (pump != null) {
      kn.usePump(pump);
    }
  }

  /** {@code filt_vfsdetach}. */
  @Override
  public void detach(KNote kn) {
    Vnode vnode = (Vnode) kn.hook();
    vnode.knotes().remove(kn);
    vnode.release((int) kn.ident(), kn.sfflags());
  }

  /**
   * {@code filt_vfsvnode}: keeps the requested bits of {@code hint}; on {@code NOTE_REVOKE}, or a
   * re-check of a revoked object, sets {@code EV_EOF} and fires; otherwise fires while {@code
   * fflags} holds anything.
   */
  @Override
  public boolean event(KNote kn, long hint) {
    int notes = (int) hint;
    int wanted = notes & kn.sfflags();
    if (wanted != 0) {
      kn.addFflags(wanted);
    }
    if ((notes & NOTE_REVOKE) != 0 || (hint == 0 && ((Vnode) kn.hook()).isRevoked())) {
      kn.addFlags(EV_EOF);
      return true;
    }
    return kn.fflags() != 0;
  }

  /**
   * FreeBSD's default {@code f_touch}: the change's {@code fflags} and {@code data} replace the
   * saved ones; the source is told that the knote now asks for other bits.
   */
  @Override
  public void touch(KNote kn, int flags, int fflags, long data) {
    Vnode vnode = (Vnode) kn.hook();
    int before = kn.sfflags();
    if (before != fflags) {
      try {
        checkSupported(VnodeSources.active(), kn.ident(), fflags);
        vnode.changeInterest(before, fflags);
      } catch (KQueueException e) {
        throw new UncheckedIOException(e);
      }
    }
    kn.setSfflags(fflags);
    kn.setSdata(data);
  }

  private static void checkSupported(VnodeSource source, long ident, int notes)
      throws KQueueException {
    int unsupported = notes & VnodeNotes.ALL & ~source.supportedNotes();
    if (unsupported != 0) {
      throw new KQueueException("kevent", Errno.EOPNOTSUPP,
          "EVFILT_VNODE on descriptor " + ident + ": " + VnodeNotes.toString(unsupported)
              + " cannot be observed by the " + source.name() + " source");
    }
  }
}
