package io.kqueue4j.bsd.internal;

import static io.kqueue4j.KEvent.EVFILT_AIO;
import static io.kqueue4j.KEvent.EVFILT_EMPTY;
import static io.kqueue4j.KEvent.EVFILT_FS;
import static io.kqueue4j.KEvent.EVFILT_LIO;
import static io.kqueue4j.KEvent.EVFILT_PROC;
import static io.kqueue4j.KEvent.EVFILT_READ;
import static io.kqueue4j.KEvent.EVFILT_SIGNAL;
import static io.kqueue4j.KEvent.EVFILT_TIMER;
import static io.kqueue4j.KEvent.EVFILT_USER;
import static io.kqueue4j.KEvent.EVFILT_VNODE;
import static io.kqueue4j.KEvent.EVFILT_WRITE;
import static io.kqueue4j.KEvent.EV_FORCEONESHOT;
import static io.kqueue4j.KEvent.NOTE_ABSTIME;
import static io.kqueue4j.KEvent.NOTE_MSECONDS;
import static io.kqueue4j.KEvent.NOTE_NSECONDS;
import static io.kqueue4j.KEvent.NOTE_SECONDS;
import static io.kqueue4j.KEvent.NOTE_USECONDS;

import io.kqueue4j.Errno;

/**
 * The constants of one OS's {@code sys/event.h} and {@code sys/errno.h}, translated to and from
 * the API's FreeBSD values. Every value is pinned against the headers by {@code DialectTest}.
 *
 * <p>A filter, flag or filter flag the OS cannot express is not dropped: the change is sent with a
 * filter id the OS does not know ({@link #invalidFilter()}), so that it fails with the OS's own
 * errno ({@code EINVAL}) in its place in the change list, and later changes still apply.
 */
public enum Dialect {
  FREEBSD,
  MACOS,
  NETBSD,
  OPENBSD,
  /** libkqueue on Linux: FreeBSD's filter ids, macOS's timer units, Linux errno values. */
  LIBKQUEUE;

  /** Returned by {@link #fflagsToOs} when the OS cannot express the filter flags. */
  public static final long UNSUPPORTED = -1L;

  /** The flag mask an event keeps: actions and flags, {@code EV_FLAG1}, {@code EV_ERROR}, {@code EV_EOF}. */
  private static final int EVENT_FLAGS = 0xE0FF;

  /** {@code NOTE_EXIT | NOTE_FORK | NOTE_EXEC | NOTE_TRACK | NOTE_TRACKERR | NOTE_CHILD}. */
  private static final int PROC_COMMON = 0xE0000007;

  /** {@code NOTE_DELETE} to {@code NOTE_REVOKE}, the same bits on every OS. */
  private static final int VNODE_COMMON = 0x007F;

  /** FreeBSD's {@code NOTE_OPEN}, {@code NOTE_CLOSE}, {@code NOTE_CLOSE_WRITE}, {@code NOTE_READ}. */
  private static final int VNODE_OPEN_CLOSE_READ = 0x0780;

  /** {@code NOTE_LOWAT}. */
  private static final int READ_WRITE_COMMON = 0x0001;

  /** A filter id the OS rejects with {@code EINVAL}. */
  public int invalidFilter() {
    // NetBSD's filter is a uint32_t; ids past EVFILT_SYSCOUNT name filters registered at run time
    return this == NETBSD ? Integer.MAX_VALUE : Short.MIN_VALUE;
  }

  /** The OS's id of an API filter, or {@link #invalidFilter()} when the OS has no such filter. */
  public int filterToOs(short filter) {
    switch (this) {
      case FREEBSD:
        return filter;
      case MACOS:
        switch (filter) {
          case EVFILT_READ: case EVFILT_WRITE: case EVFILT_AIO: case EVFILT_VNODE:
          case EVFILT_PROC: case EVFILT_SIGNAL: case EVFILT_TIMER: case EVFILT_FS:
            return filter;
          case EVFILT_USER:
            return -10;
          default:
            return invalidFilter();
        }
      case NETBSD:
        switch (filter) {
          case EVFILT_READ: return 0;
          case EVFILT_WRITE: return 1;
          case EVFILT_AIO: return 2;
          case EVFILT_VNODE: return 3;
          case EVFILT_PROC: return 4;
          case EVFILT_SIGNAL: return 5;
          case EVFILT_TIMER: return 6;
          case EVFILT_FS: return 7;
          case EVFILT_USER: return 8;
          case EVFILT_EMPTY: return 9;
          default: return invalidFilter();
        }
      case OPENBSD:
        switch (filter) {
          case EVFILT_READ: case EVFILT_WRITE: case EVFILT_AIO: case EVFILT_VNODE:
          case EVFILT_PROC: case EVFILT_SIGNAL: case EVFILT_TIMER:
            return filter;
          case EVFILT_USER:
            return -10;
          default:
            return invalidFilter();
        }
      case LIBKQUEUE:
        switch (filter) {
          case EVFILT_READ: case EVFILT_WRITE: case EVFILT_AIO: case EVFILT_VNODE:
          case EVFILT_PROC: case EVFILT_SIGNAL: case EVFILT_TIMER: case EVFILT_FS:
          case EVFILT_LIO: case EVFILT_USER:
            return filter;
          default:
            return invalidFilter();
        }
      default:
        throw new AssertionError(this);
    }
  }

  /** The API's id of an OS filter id; an id without counterpart comes back as it is. */
  public short filterFromOs(int osFilter) {
    switch (this) {
      case MACOS:
      case OPENBSD:
        return osFilter == -10 ? EVFILT_USER : (short) osFilter;
      case NETBSD:
        switch (osFilter) {
          case 0: return EVFILT_READ;
          case 1: return EVFILT_WRITE;
          case 2: return EVFILT_AIO;
          case 3: return EVFILT_VNODE;
          case 4: return EVFILT_PROC;
          case 5: return EVFILT_SIGNAL;
          case 6: return EVFILT_TIMER;
          case 7: return EVFILT_FS;
          case 8: return EVFILT_USER;
          case 9: return EVFILT_EMPTY;
          default: return (short) osFilter;
        }
      default:
        return (short) osFilter;
    }
  }

  /**
   * The OS's flags for a change's flags (without {@code EV_SYSFLAGS} and {@code EV_KEEPUDATA},
   * which the caller handles), or -1 when the OS cannot express them ({@code EV_FORCEONESHOT}
   * outside FreeBSD). Bits FreeBSD leaves undefined are dropped, as FreeBSD ignores them.
   */
  public int flagsToOs(int flags) {
    int os = flags & 0x00FF; // EV_ADD .. EV_DISPATCH: the same bits everywhere
    if ((flags & EV_FORCEONESHOT) != 0) {
      if (this != FREEBSD) {
        return -1;
      }
      os |= EV_FORCEONESHOT;
    }
    return os;
  }

  /** The API's flags of an event's OS flags. */
  public int flagsFromOs(int osFlags) {
    return osFlags & EVENT_FLAGS;
  }

  /**
   * The OS's filter flags for a change on {@code filter}, or {@link #UNSUPPORTED}. Timer units are
   * converted (macOS and libkqueue count them in bits of their own, NetBSD and OpenBSD number
   * them); other filters keep their bits where the OS defines the same ones.
   */
  public long fflagsToOs(short filter, int fflags) {
    if (this == FREEBSD) {
      return fflags & 0xFFFFFFFFL;
    }
    switch (filter) {
      case EVFILT_TIMER:
        return timerToOs(fflags);
      case EVFILT_VNODE: {
        int allowed = VNODE_COMMON | (this == NETBSD ? VNODE_OPEN_CLOSE_READ : 0);
        return (fflags & ~allowed) != 0 ? UNSUPPORTED : fflags;
      }
      case EVFILT_READ:
      case EVFILT_WRITE:
        return (fflags & ~READ_WRITE_COMMON) != 0 ? UNSUPPORTED : fflags;
      case EVFILT_PROC:
        return (fflags & ~PROC_COMMON) != 0 ? UNSUPPORTED : fflags & 0xFFFFFFFFL;
      default:
        return fflags & 0xFFFFFFFFL;
    }
  }

  /** The API's filter flags of an event's OS filter flags on {@code filter} (an API id). */
  public int fflagsFromOs(short filter, int osFflags) {
    if (this == FREEBSD || filter != EVFILT_TIMER) {
      return osFflags;
    }
    int fflags = 0;
    if (this == NETBSD || this == OPENBSD) {
      switch (osFflags & 0x3) {
        case 1: fflags = NOTE_SECONDS; break;
        case 2: fflags = NOTE_USECONDS; break;
        case 3: fflags = NOTE_NSECONDS; break;
        default: break;
      }
      return fflags | ((osFflags & 0x10) != 0 ? NOTE_ABSTIME : 0);
    }
    if ((osFflags & 0x1) != 0) {
      fflags |= NOTE_SECONDS;
    }
    if ((osFflags & 0x2) != 0) {
      fflags |= NOTE_USECONDS;
    }
    if ((osFflags & 0x4) != 0) {
      fflags |= NOTE_NSECONDS;
    }
    return fflags | ((osFflags & 0x8) != 0 ? NOTE_ABSTIME : 0);
  }

  private long timerToOs(int fflags) {
    if ((fflags & ~(NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS | NOTE_ABSTIME))
        != 0) {
      return UNSUPPORTED;
    }
    boolean numbered = this == NETBSD || this == OPENBSD;
    int unit;
    switch (fflags & (NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS)) {
      case 0:
      case NOTE_MSECONDS:
        unit = 0; // milliseconds are every OS's default unit
        break;
      case NOTE_SECONDS:
        unit = 1;
        break;
      case NOTE_USECONDS:
        unit = 2;
        break;
      case NOTE_NSECONDS:
        unit = numbered ? 3 : 4;
        break;
      default:
        return UNSUPPORTED; // two units at once: FreeBSD says EINVAL too
    }
    if ((fflags & NOTE_ABSTIME) != 0) {
      unit |= numbered ? 0x10 : 0x8; // NOTE_ABSTIME, or NOTE_ABSOLUTE on macOS and libkqueue
    }
    return unit;
  }

  /**
   * FreeBSD's errno for the OS's. The BSDs share 4.4BSD's numbers up to {@code ENEEDAUTH} (81) and
   * differ above; Linux differs almost everywhere. A value without counterpart becomes {@code EIO}.
   */
  public int errnoFromOs(int osErrno) {
    if (osErrno <= 0 || this == FREEBSD) {
      return osErrno;
    }
    if (this == LIBKQUEUE) {
      return linux(osErrno);
    }
    if (osErrno <= 81) {
      return osErrno;
    }
    switch (this) {
      case MACOS:
        switch (osErrno) {
          case 84: return 84; // EOVERFLOW
          case 89: return 85; // ECANCELED
          case 90: return 82; // EIDRM
          case 91: return 83; // ENOMSG
          case 92: return 86; // EILSEQ
          case 94: return 89; // EBADMSG
          case 95: return 90; // EMULTIHOP
          case 97: return 91; // ENOLINK
          case 100: return 92; // EPROTO
          case 102: return Errno.EOPNOTSUPP;
          case 104: return 95; // ENOTRECOVERABLE
          case 105: return 96; // EOWNERDEAD
          default: return Errno.EIO;
        }
      case NETBSD:
        switch (osErrno) {
          case 82: return 82; // EIDRM
          case 83: return 83; // ENOMSG
          case 84: return 84; // EOVERFLOW
          case 85: return 86; // EILSEQ
          case 86: return Errno.ENOTSUP;
          case 87: return 85; // ECANCELED
          case 88: return 89; // EBADMSG
          case 94: return 90; // EMULTIHOP
          case 95: return 91; // ENOLINK
          case 96: return 92; // EPROTO
          default: return Errno.EIO;
        }
      case OPENBSD:
        switch (osErrno) {
          case 84: return 86; // EILSEQ
          case 87: return 84; // EOVERFLOW
          case 88: return 85; // ECANCELED
          case 89: return 82; // EIDRM
          case 90: return 83; // ENOMSG
          case 91: return Errno.ENOTSUP;
          case 92: return 89; // EBADMSG
          case 93: return 95; // ENOTRECOVERABLE
          case 94: return 96; // EOWNERDEAD
          case 95: return 92; // EPROTO
          default: return Errno.EIO;
        }
      default:
        throw new AssertionError(this);
    }
  }

  /** Linux's {@code asm-generic/errno*.h} numbers to FreeBSD's. */
  private static int linux(int e) {
    if (e <= 34) {
      return e == 11 ? Errno.EAGAIN : e; // 1..34 match except EAGAIN (Linux 11 is FreeBSD's EDEADLK)
    }
    switch (e) {
      case 35: return Errno.EDEADLK;
      case 36: return Errno.ENAMETOOLONG;
      case 37: return 77; // ENOLCK
      case 38: return Errno.ENOSYS;
      case 39: return Errno.ENOTEMPTY;
      case 40: return Errno.ELOOP;
      case 42: return 83; // ENOMSG
      case 43: return 82; // EIDRM
      case 66: return 71; // EREMOTE
      case 67: return 91; // ENOLINK
      case 71: return 92; // EPROTO
      case 72: return 90; // EMULTIHOP
      case 74: return 89; // EBADMSG
      case 75: return 84; // EOVERFLOW
      case 84: return 86; // EILSEQ
      case 87: return 68; // EUSERS
      case 88: return Errno.ENOTSOCK;
      case 89: return 39; // EDESTADDRREQ
      case 90: return 40; // EMSGSIZE
      case 91: return 41; // EPROTOTYPE
      case 92: return 42; // ENOPROTOOPT
      case 93: return 43; // EPROTONOSUPPORT
      case 94: return 44; // ESOCKTNOSUPPORT
      case 95: return Errno.EOPNOTSUPP;
      case 96: return 46; // EPFNOSUPPORT
      case 97: return 47; // EAFNOSUPPORT
      case 98: return Errno.EADDRINUSE;
      case 99: return 49; // EADDRNOTAVAIL
      case 100: return 50; // ENETDOWN
      case 101: return 51; // ENETUNREACH
      case 102: return 52; // ENETRESET
      case 103: return 53; // ECONNABORTED
      case 104: return Errno.ECONNRESET;
      case 105: return 55; // ENOBUFS
      case 106: return 56; // EISCONN
      case 107: return Errno.ENOTCONN;
      case 108: return 58; // ESHUTDOWN
      case 109: return 59; // ETOOMANYREFS
      case 110: return Errno.ETIMEDOUT;
      case 111: return Errno.ECONNREFUSED;
      case 112: return 64; // EHOSTDOWN
      case 113: return 65; // EHOSTUNREACH
      case 114: return Errno.EALREADY;
      case 115: return Errno.EINPROGRESS;
      case 116: return 70; // ESTALE
      case 122: return 69; // EDQUOT
      case 125: return 85; // ECANCELED
      case 130: return 96; // EOWNERDEAD
      case 131: return 95; // ENOTRECOVERABLE
      default: return Errno.EIO;
    }
  }
}
