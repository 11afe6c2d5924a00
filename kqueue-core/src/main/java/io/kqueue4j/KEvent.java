package io.kqueue4j;

import java.util.StringJoiner;

/**
 * {@code struct kevent}: one change to submit to, or one event returned by, {@link KQueue#kevent}.
 *
 * <p>The constants of FreeBSD's {@code sys/event.h} are fields of this class, with their C names
 * and FreeBSD's values, so that {@code import static io.kqueue4j.KEvent.*;} reads like C. Filters
 * that FreeBSD lacks ({@link #EVFILT_FSEVENT}) have ids outside FreeBSD's range.
 *
 * <p>{@code flags} is the C {@code u_short} and {@code fflags} the C {@code u_int}, both held in an
 * {@code int}; {@code ident} and {@code data} are 64 bits wide as in FreeBSD 12 and later.
 * {@code udata} is any object and comes back by identity.
 *
 * @param ident identifier for this event: a descriptor, pid, signal number or any number
 * @param filter the filter ({@code EVFILT_*})
 * @param flags action and general flags ({@code EV_*})
 * @param fflags filter-specific flags ({@code NOTE_*})
 * @param data filter-specific data
 * @param udata opaque user data, returned unchanged
 */
public record KEvent(long ident, short filter, int flags, int fflags, long data, Object udata) {

  // ---- filters ----
  public static final short EVFILT_READ = -1;
  public static final short EVFILT_WRITE = -2;
  /** Attached to aio requests; not implemented by the emulated kernel (ENXIO). */
  public static final short EVFILT_AIO = -3;
  public static final short EVFILT_VNODE = -4;
  public static final short EVFILT_PROC = -5;
  public static final short EVFILT_SIGNAL = -6;
  public static final short EVFILT_TIMER = -7;
  public static final short EVFILT_PROCDESC = -8;
  public static final short EVFILT_FS = -9;
  public static final short EVFILT_LIO = -10;
  public static final short EVFILT_USER = -11;
  public static final short EVFILT_SENDFILE = -12;
  public static final short EVFILT_EMPTY = -13;
  public static final short EVFILT_JAIL = -14;
  public static final short EVFILT_JAILDESC = -15;
  /** Number of filters FreeBSD defines. */
  public static final int EVFILT_SYSCOUNT = 15;
  /**
   * Recursive file-system event stream of a watcher (after XNU's {@code vfs_fsevents.c}). Not a
   * FreeBSD filter: its id lies outside FreeBSD's range.
   */
  public static final short EVFILT_FSEVENT = -32;

  // ---- actions ----
  public static final int EV_ADD = 0x0001;
  public static final int EV_DELETE = 0x0002;
  public static final int EV_ENABLE = 0x0004;
  public static final int EV_DISABLE = 0x0008;
  public static final int EV_FORCEONESHOT = 0x0100;
  public static final int EV_KEEPUDATA = 0x0200;

  // ---- flags ----
  public static final int EV_ONESHOT = 0x0010;
  public static final int EV_CLEAR = 0x0020;
  public static final int EV_RECEIPT = 0x0040;
  public static final int EV_DISPATCH = 0x0080;
  public static final int EV_SYSFLAGS = 0xF000;
  public static final int EV_DROP = 0x1000;
  public static final int EV_FLAG1 = 0x2000;
  public static final int EV_FLAG2 = 0x4000;

  // ---- returned values ----
  public static final int EV_EOF = 0x8000;
  public static final int EV_ERROR = 0x4000;

  // ---- EVFILT_USER ----
  public static final int NOTE_FFNOP = 0x00000000;
  public static final int NOTE_FFAND = 0x40000000;
  public static final int NOTE_FFOR = 0x80000000;
  public static final int NOTE_FFCOPY = 0xc0000000;
  public static final int NOTE_FFCTRLMASK = 0xc0000000;
  public static final int NOTE_FFLAGSMASK = 0x00ffffff;
  public static final int NOTE_TRIGGER = 0x01000000;

  // ---- EVFILT_READ / EVFILT_WRITE ----
  public static final int NOTE_LOWAT = 0x0001;
  public static final int NOTE_FILE_POLL = 0x0002;

  // ---- EVFILT_VNODE ----
  public static final int NOTE_DELETE = 0x0001;
  public static final int NOTE_WRITE = 0x0002;
  public static final int NOTE_EXTEND = 0x0004;
  public static final int NOTE_ATTRIB = 0x0008;
  public static final int NOTE_LINK = 0x0010;
  public static final int NOTE_RENAME = 0x0020;
  public static final int NOTE_REVOKE = 0x0040;
  public static final int NOTE_OPEN = 0x0080;
  public static final int NOTE_CLOSE = 0x0100;
  public static final int NOTE_CLOSE_WRITE = 0x0200;
  public static final int NOTE_READ = 0x0400;

  // ---- EVFILT_PROC / EVFILT_PROCDESC ----
  public static final int NOTE_EXIT = 0x80000000;
  public static final int NOTE_FORK = 0x40000000;
  public static final int NOTE_EXEC = 0x20000000;
  public static final int NOTE_PDSIGCHLD = 0x10000000;
  public static final int NOTE_SIGNAL = 0x08000000;
  public static final int NOTE_REAP = 0x04000000;
  public static final int NOTE_PCTRLMASK = 0xfc000000;
  public static final int NOTE_PDATAMASK = 0x000fffff;
  public static final int NOTE_TRACK = 0x00000001;
  public static final int NOTE_TRACKERR = 0x00000002;
  public static final int NOTE_CHILD = 0x00000004;

  // ---- EVFILT_TIMER ----
  public static final int NOTE_SECONDS = 0x00000001;
  public static final int NOTE_MSECONDS = 0x00000002;
  public static final int NOTE_USECONDS = 0x00000004;
  public static final int NOTE_NSECONDS = 0x00000008;
  public static final int NOTE_ABSTIME = 0x00000010;

  /** {@code EV_SET}: the same as the canonical constructor. */
  public static KEvent of(long ident, short filter, int flags, int fflags, long data, Object udata) {
    return new KEvent(ident, filter, flags, fflags, data, udata);
  }

  /**
   * Compares {@code udata} by identity, as C compares the pointer; the other fields by value.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof KEvent k
        && ident == k.ident
        && filter == k.filter
        && flags == k.flags
        && fflags == k.fflags
        && data == k.data
        && udata == k.udata;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(ident);
    h = 31 * h + filter;
    h = 31 * h + flags;
    h = 31 * h + fflags;
    h = 31 * h + Long.hashCode(data);
    return 31 * h + System.identityHashCode(udata);
  }

  @Override
  public String toString() {
    return "KEvent[ident=" + ident
        + ", filter=" + filterName(filter)
        + ", flags=" + flagNames(flags)
        + ", fflags=0x" + Integer.toHexString(fflags)
        + ", data=" + data
        + ", udata=" + udata + "]";
  }

  /** The C name of a filter id, or its number when it has none. */
  public static String filterName(short filter) {
    return switch (filter) {
      case EVFILT_READ -> "EVFILT_READ";
      case EVFILT_WRITE -> "EVFILT_WRITE";
      case EVFILT_AIO -> "EVFILT_AIO";
      case EVFILT_VNODE -> "EVFILT_VNODE";
      case EVFILT_PROC -> "EVFILT_PROC";
      case EVFILT_SIGNAL -> "EVFILT_SIGNAL";
      case EVFILT_TIMER -> "EVFILT_TIMER";
      case EVFILT_PROCDESC -> "EVFILT_PROCDESC";
      case EVFILT_FS -> "EVFILT_FS";
      case EVFILT_LIO -> "EVFILT_LIO";
      case EVFILT_USER -> "EVFILT_USER";
      case EVFILT_SENDFILE -> "EVFILT_SENDFILE";
      case EVFILT_EMPTY -> "EVFILT_EMPTY";
      case EVFILT_JAIL -> "EVFILT_JAIL";
      case EVFILT_JAILDESC -> "EVFILT_JAILDESC";
      case EVFILT_FSEVENT -> "EVFILT_FSEVENT";
      default -> Short.toString(filter);
    };
  }

  private static final String[] FLAG_NAMES = {
    "EV_ADD", "EV_DELETE", "EV_ENABLE", "EV_DISABLE", "EV_ONESHOT", "EV_CLEAR", "EV_RECEIPT",
    "EV_DISPATCH", "EV_FORCEONESHOT", "EV_KEEPUDATA", "0x400", "0x800", "EV_DROP", "EV_FLAG1",
    "EV_ERROR", "EV_EOF"
  };

  /** The {@code EV_*} names of a flags word joined by {@code |}, or {@code 0}. */
  public static String flagNames(int flags) {
    StringJoiner names = new StringJoiner("|");
    for (int bit = 0; bit < 16; bit++) {
      if ((flags & (1 << bit)) != 0) {
        names.add(FLAG_NAMES[bit]);
      }
    }
    if ((flags & ~0xFFFF) != 0) {
      names.add("0x" + Integer.toHexString(flags & ~0xFFFF));
    }
    return names.length() == 0 ? "0" : names.toString();
  }
}
