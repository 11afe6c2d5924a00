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
  /**
   * Data to read on the descriptor in {@code ident}: {@code data} returns the bytes available (the
   * listen backlog for a listening socket), with {@code EV_EOF} once the writer is gone.
   */
  public static final short EVFILT_READ = -1;
  /**
   * Room to write on the descriptor in {@code ident}: {@code data} returns the space left in the
   * write buffer, with {@code EV_EOF} once the reader is gone.
   */
  public static final short EVFILT_WRITE = -2;
  /** Attached to aio requests; not implemented by the emulated kernel (ENXIO). */
  public static final short EVFILT_AIO = -3;
  /**
   * File events ({@code NOTE_DELETE}, {@code NOTE_WRITE}, ...) asked for in {@code fflags} on the
   * descriptor in {@code ident}; {@code fflags} returns the events that occurred.
   */
  public static final short EVFILT_VNODE = -4;
  /**
   * Process events ({@code NOTE_EXIT}, {@code NOTE_FORK}, {@code NOTE_EXEC}, {@code NOTE_TRACK})
   * asked for in {@code fflags} on the pid in {@code ident}.
   */
  public static final short EVFILT_PROC = -5;
  /**
   * Deliveries of the signal numbered {@code ident} (FreeBSD's numbers): {@code data} returns how
   * often it arrived since the last report. Implies {@code EV_CLEAR}.
   */
  public static final short EVFILT_SIGNAL = -6;
  /**
   * A timer named by {@code ident}: {@code data} is its period, or with {@code NOTE_ABSTIME} its
   * deadline, in the unit chosen in {@code fflags} (milliseconds by default); {@code data} returns
   * the number of expirations since the last report.
   */
  public static final short EVFILT_TIMER = -7;
  /**
   * Process events on a process descriptor from {@code pdfork(2)} in {@code ident}. FreeBSD only
   * (-8 is {@code EVFILT_MACHPORT} on macOS); not implemented by the emulated kernel (ENXIO).
   */
  public static final short EVFILT_PROCDESC = -8;
  /**
   * File-system events of the system, such as mounts and unmounts. FreeBSD, macOS (-9) and NetBSD
   * (7); not implemented by the emulated kernel (ENXIO).
   */
  public static final short EVFILT_FS = -9;
  /**
   * Attached to {@code lio_listio(2)} request lists; not implemented by the emulated kernel
   * (ENXIO).
   */
  public static final short EVFILT_LIO = -10;
  /**
   * A user event named by {@code ident}, fired by a change with {@code NOTE_TRIGGER}; the low 24
   * bits of {@code fflags} are flags of the user's own ({@code NOTE_FFAND}, {@code NOTE_FFOR},
   * {@code NOTE_FFCOPY}). The id is -10 on macOS and OpenBSD, 8 on NetBSD.
   */
  public static final short EVFILT_USER = -11;
  /**
   * Attached to {@code sendfile(2)} requests. FreeBSD only; not implemented by the emulated kernel
   * (ENXIO).
   */
  public static final short EVFILT_SENDFILE = -12;
  /**
   * An empty write buffer on the descriptor in {@code ident}. FreeBSD and NetBSD (9); not
   * implemented by the emulated kernel (ENXIO).
   */
  public static final short EVFILT_EMPTY = -13;
  /**
   * Jail events ({@code NOTE_JAIL_*}, not defined here) on the jail id in {@code ident}, 0 for the
   * caller's own jail. FreeBSD only; not implemented by the emulated kernel (ENXIO).
   */
  public static final short EVFILT_JAIL = -14;
  /**
   * Jail events on a jail descriptor from {@code jail_set(2)} or {@code jail_get(2)} in {@code
   * ident}. FreeBSD only; not implemented by the emulated kernel (ENXIO).
   */
  public static final short EVFILT_JAILDESC = -15;
  /** Number of filters FreeBSD defines. */
  public static final int EVFILT_SYSCOUNT = 15;
  /**
   * Recursive file-system event stream of a watcher (after XNU's {@code vfs_fsevents.c}). Not a
   * FreeBSD filter: its id lies outside FreeBSD's range.
   */
  public static final short EVFILT_FSEVENT = -32;

  // ---- actions ----
  /**
   * Adds the event, or modifies it if it exists; implies {@code EV_ENABLE} unless {@code
   * EV_DISABLE}.
   */
  public static final int EV_ADD = 0x0001;
  /**
   * Removes the event and discards it if pending. Closing a descriptor removes its events without
   * this.
   */
  public static final int EV_DELETE = 0x0002;
  /** Lets {@code kevent} return the event again; one that became pending meanwhile is reported. */
  public static final int EV_ENABLE = 0x0004;
  /**
   * Keeps {@code kevent} from returning the event; the filter still runs. {@code EINVAL} together
   * with {@code EV_ENABLE}.
   */
  public static final int EV_DISABLE = 0x0008;
  /**
   * On an existing event: makes it {@code EV_ONESHOT} and fires it. FreeBSD only: the native
   * backend fails it with {@code EINVAL} on other OSes.
   */
  public static final int EV_FORCEONESHOT = 0x0100;
  /**
   * Keeps the event's udata instead of replacing it with the change's. FreeBSD's flag; the native
   * backend implements it itself on every OS.
   */
  public static final int EV_KEEPUDATA = 0x0200;

  // ---- flags ----
  /** Reports the event once, then deletes it. */
  public static final int EV_ONESHOT = 0x0010;
  /**
   * Resets the event's state after it is reported (edge-triggered); some filters set it
   * themselves, such as {@code EVFILT_SIGNAL}.
   */
  public static final int EV_CLEAR = 0x0020;
  /**
   * Returns the change as an {@code EV_ERROR} entry with {@code data} 0 on success; a call with
   * such an entry returns without collecting events.
   */
  public static final int EV_RECEIPT = 0x0040;
  /** Disables the event after each delivery; {@code EV_ENABLE} re-arms it. */
  public static final int EV_DISPATCH = 0x0080;
  /** The bits reserved for the system ({@code EV_DROP} to {@code EV_EOF}); ignored in a change. */
  public static final int EV_SYSFLAGS = 0xF000;
  /** Set by a filter: the scan removes the knote without reporting it. */
  public static final int EV_DROP = 0x1000;
  /**
   * Filter-specific flag for the kernel's own use. On macOS the same bit is {@code EV_OOBAND}:
   * out-of-band data on a socket.
   */
  public static final int EV_FLAG1 = 0x2000;
  /**
   * Filter-specific flag for the kernel's own use (FreeBSD's {@code EVFILT_PROC} marks the knote
   * of a tracked child with it); the same bit as {@code EV_ERROR}.
   */
  public static final int EV_FLAG2 = 0x4000;

  // ---- returned values ----
  /**
   * The event's source is finished: writer or reader gone, watched kqueue closed, ...; for a
   * socket, {@code fflags} holds its pending error.
   */
  public static final int EV_EOF = 0x8000;
  /**
   * The entry reports a change's outcome: {@code data} holds the errno, 0 for an {@code
   * EV_RECEIPT} success.
   */
  public static final int EV_ERROR = 0x4000;

  // ---- EVFILT_USER ----
  /** {@code EVFILT_USER}: leaves the stored flags unchanged. */
  public static final int NOTE_FFNOP = 0x00000000;
  /** {@code EVFILT_USER}: ANDs the change's low 24 bits into the stored flags. */
  public static final int NOTE_FFAND = 0x40000000;
  /** {@code EVFILT_USER}: ORs the change's low 24 bits into the stored flags. */
  public static final int NOTE_FFOR = 0x80000000;
  /** {@code EVFILT_USER}: replaces the stored flags with the change's low 24 bits. */
  public static final int NOTE_FFCOPY = 0xc0000000;
  /**
   * {@code EVFILT_USER}: the two bits that choose {@code NOTE_FFNOP}, {@code NOTE_FFAND}, {@code
   * NOTE_FFOR} or {@code NOTE_FFCOPY}.
   */
  public static final int NOTE_FFCTRLMASK = 0xc0000000;
  /** {@code EVFILT_USER}: the 24 user flag bits; a returned event carries the stored flags here. */
  public static final int NOTE_FFLAGSMASK = 0x00ffffff;
  /**
   * {@code EVFILT_USER}: fires the event. The emulated kernel also fires a knote created by the
   * same change ({@code EV_ADD}); FreeBSD ignores it there.
   */
  public static final int NOTE_TRIGGER = 0x01000000;

  // ---- EVFILT_READ / EVFILT_WRITE ----
  /**
   * {@code EVFILT_READ}/{@code EVFILT_WRITE} on a socket: the change's {@code data} is the
   * low-water mark, in place of the socket's own.
   */
  public static final int NOTE_LOWAT = 0x0001;
  /**
   * {@code EVFILT_READ} on a regular file: always readable, as {@code poll(2)} says, rather than
   * only before the end of the file. FreeBSD's flag: the native backend fails it with {@code
   * EINVAL} on other OSes.
   */
  public static final int NOTE_FILE_POLL = 0x0002;

  // ---- EVFILT_VNODE ----
  /** {@code EVFILT_VNODE}: the file was unlinked. */
  public static final int NOTE_DELETE = 0x0001;
  /** {@code EVFILT_VNODE}: the file was written. */
  public static final int NOTE_WRITE = 0x0002;
  /**
   * {@code EVFILT_VNODE}: a regular file grew, or a directory gained or lost an entry through a
   * rename.
   */
  public static final int NOTE_EXTEND = 0x0004;
  /** {@code EVFILT_VNODE}: the file's attributes changed. */
  public static final int NOTE_ATTRIB = 0x0008;
  /**
   * {@code EVFILT_VNODE}: the link count changed, as when a subdirectory is created or removed in a
   * watched directory.
   */
  public static final int NOTE_LINK = 0x0010;
  /** {@code EVFILT_VNODE}: the file was renamed. */
  public static final int NOTE_RENAME = 0x0020;
  /** {@code EVFILT_VNODE}: access was revoked ({@code revoke(2)}) or the file system unmounted. */
  public static final int NOTE_REVOKE = 0x0040;
  /** {@code EVFILT_VNODE}: the file was opened. Not on macOS and OpenBSD. */
  public static final int NOTE_OPEN = 0x0080;
  /**
   * {@code EVFILT_VNODE}: a descriptor of the file without write access was closed. Not on macOS
   * and OpenBSD.
   */
  public static final int NOTE_CLOSE = 0x0100;
  /**
   * {@code EVFILT_VNODE}: a descriptor of the file with write access was closed. Not on macOS and
   * OpenBSD.
   */
  public static final int NOTE_CLOSE_WRITE = 0x0200;
  /** {@code EVFILT_VNODE}: the file was read. Not on macOS and OpenBSD. */
  public static final int NOTE_READ = 0x0400;

  // ---- EVFILT_PROC / EVFILT_PROCDESC ----
  /**
   * {@code EVFILT_PROC}, {@code EVFILT_PROCDESC}: the process exited; {@code data} holds its wait
   * status.
   */
  public static final int NOTE_EXIT = 0x80000000;
  /** {@code EVFILT_PROC}: the process forked. */
  public static final int NOTE_FORK = 0x40000000;
  /** {@code EVFILT_PROC}: the process executed a new program ({@code execve(2)}). */
  public static final int NOTE_EXEC = 0x20000000;
  /**
   * {@code EVFILT_PROCDESC}: the process changed state as {@code SIGCHLD} would tell its parent
   * (exited, stopped, continued). FreeBSD only.
   */
  public static final int NOTE_PDSIGCHLD = 0x10000000;
  /**
   * The hint of a signal delivery, which {@code EVFILT_SIGNAL} and {@code EVFILT_PROC} share
   * (kernel-internal on FreeBSD); on macOS an {@code EVFILT_PROC} event: the process was signalled.
   */
  public static final int NOTE_SIGNAL = 0x08000000;
  /**
   * {@code EVFILT_PROC}, {@code EVFILT_PROCDESC}: the process was reaped. FreeBSD's value: macOS
   * uses this bit for {@code NOTE_EXITSTATUS}.
   */
  public static final int NOTE_REAP = 0x04000000;
  /** {@code EVFILT_PROC}: the mask of the event bits in {@code fflags}. */
  public static final int NOTE_PCTRLMASK = 0xfc000000;
  /** {@code EVFILT_PROC}: the mask of the pid that a kernel hint carries beside its event bits. */
  public static final int NOTE_PDATAMASK = 0x000fffff;
  /**
   * {@code EVFILT_PROC}: follows the process across {@code fork}: each child gets an event of its
   * own with the same {@code fflags}, first reported with {@code NOTE_CHILD}.
   */
  public static final int NOTE_TRACK = 0x00000001;
  /** {@code EVFILT_PROC}, returned: a forked child could not be tracked. */
  public static final int NOTE_TRACKERR = 0x00000002;
  /**
   * {@code EVFILT_PROC}, returned: the first event of a tracked child; {@code data} holds the
   * parent's pid.
   */
  public static final int NOTE_CHILD = 0x00000004;

  // ---- EVFILT_TIMER ----
  /** {@code EVFILT_TIMER}: {@code data} is in seconds. */
  public static final int NOTE_SECONDS = 0x00000001;
  /**
   * {@code EVFILT_TIMER}: {@code data} is in milliseconds, the unit on every OS when none is
   * given.
   */
  public static final int NOTE_MSECONDS = 0x00000002;
  /**
   * {@code EVFILT_TIMER}: {@code data} is in microseconds (2 on macOS, NetBSD and OpenBSD; the
   * native backend translates).
   */
  public static final int NOTE_USECONDS = 0x00000004;
  /**
   * {@code EVFILT_TIMER}: {@code data} is in nanoseconds (4 on macOS, 3 on NetBSD and OpenBSD; the
   * native backend translates).
   */
  public static final int NOTE_NSECONDS = 0x00000008;
  /**
   * {@code EVFILT_TIMER}: {@code data} is a wall-clock deadline since the epoch, fired once (macOS:
   * {@code NOTE_ABSOLUTE}, 8).
   */
  public static final int NOTE_ABSTIME = 0x00000010;

  /**
   * {@code EV_SET}: the same as the canonical constructor.
   *
   * @param ident identifier for this event: a descriptor, pid, signal number or any number
   * @param filter the filter ({@code EVFILT_*})
   * @param flags action and general flags ({@code EV_*})
   * @param fflags filter-specific flags ({@code NOTE_*})
   * @param data filter-specific data
   * @param udata opaque user data, returned unchanged
   * @return a new kevent with these fields
   */
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

  /**
   * The C name of a filter id, or its number when it has none.
   *
   * @param filter a filter id, such as {@link #EVFILT_READ}
   * @return {@code "EVFILT_READ"} and so on, or the id in decimal for an unknown filter
   */
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

  /**
   * The {@code EV_*} names of a flags word joined by {@code |}, or {@code 0}.
   *
   * @param flags a {@code flags} word, as in a change or a returned event
   * @return the names of the bits set, such as {@code "EV_ADD|EV_CLEAR"}; a bit without a name
   *     shows in hexadecimal; {@code "0"} when none is set
   */
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
